/**
 * Event boundaries of a text/event-stream body (the WHATWG SSE format): lines end in CRLF, LF or
 * CR; a blank line ends an event. A block of only comment lines (`:` keep-alives) is no event.
 * The scanner walks payload bytes once, keeping a few flags, never the bytes.
 */

/** Counts complete events and the bytes of the event under way (see the file comment). */
export class SseScanner {
  /** Events completed so far. */
  complete = 0;
  /** Bytes of the block under way (0 between blocks). */
  blockBytes = 0;
  /** Whether the block under way has a field line (so a blank line completes an event). */
  hasField = false;
  #lineEmpty = true;
  #afterCr = false;

  /** Whether byte `b`, next, would complete an event. */
  completes(b: number): boolean {
    return this.hasField && this.#lineEmpty && (b === 10 || b === 13) && !(this.#afterCr && b === 10);
  }

  /** Takes byte `b`. */
  step(b: number): void {
    const crlf = this.#afterCr && b === 10;
    this.#afterCr = b === 13;
    if (this.blockBytes > 0) this.blockBytes++;
    if (crlf) return;
    if (b === 10 || b === 13) {
      if (!this.#lineEmpty) this.#lineEmpty = true;
      else if (this.blockBytes > 0) {
        if (this.hasField) this.complete++;
        this.blockBytes = 0;
        this.hasField = false;
      }
      return;
    }
    if (this.#lineEmpty) {
      this.#lineEmpty = false;
      if (this.blockBytes === 0) this.blockBytes = 1;
      if (b !== 58) this.hasField = true;
    }
  }
}
