/**
 * The framed protocol of the tcp probe and the echo upstream. One frame:
 *
 *   0   magic 0x46 0x4c ("FL")   2   version (1)   3   type (1 write, 2 read, 3 ack, 4 error)
 *   4   seq (uint32 BE)          8   id length (uint16 BE)          10  payload length (uint32 BE)
 *   14  id (utf-8)  payload (utf-8)  crc32 of everything before it (uint32 BE)
 *
 * A corrupt checksum is reported per frame (the stream stays usable: the lengths framed it); a bad
 * magic, version, type or size is a protocol error (the stream cannot be trusted any more).
 */
import { crc32 } from 'node:zlib';

/** What a frame asks or answers. */
export type FrameType = 'write' | 'read' | 'ack' | 'error';

/** One decoded frame. */
export interface Frame {
  readonly type: FrameType;
  readonly seq: number;
  readonly id: string;
  readonly payload: string;
}

/** A frame as read off the wire, and whether its checksum matched. */
export interface Decoded {
  readonly frame: Frame;
  readonly intact: boolean;
}

/** The largest payload a frame may carry. */
const MAX_PAYLOAD = 16 * 1024 * 1024;

const MAGIC = 0x464c;
const VERSION = 1;
const HEADER = 14;
const TRAILER = 4;
const types: readonly FrameType[] = ['write', 'read', 'ack', 'error'];

/** The bytes of `frame`, checksum included. */
export function encodeFrame(frame: Frame): Buffer {
  const id = Buffer.from(frame.id, 'utf8');
  const payload = Buffer.from(frame.payload, 'utf8');
  const buf = Buffer.allocUnsafe(HEADER + id.length + payload.length + TRAILER);
  buf.writeUInt16BE(MAGIC, 0);
  buf.writeUInt8(VERSION, 2);
  buf.writeUInt8(types.indexOf(frame.type) + 1, 3);
  buf.writeUInt32BE(frame.seq >>> 0, 4);
  buf.writeUInt16BE(id.length, 8);
  buf.writeUInt32BE(payload.length, 10);
  id.copy(buf, HEADER);
  payload.copy(buf, HEADER + id.length);
  const end = buf.length - TRAILER;
  buf.writeUInt32BE(crc32(buf.subarray(0, end)), end);
  return buf;
}

/** Splits a byte stream into frames; `push` throws a protocol error on bytes that cannot be a frame. */
export interface FrameDecoder {
  push(chunk: Buffer): Decoded[];
}

/** A decoder for one connection. */
export function createFrameDecoder(): FrameDecoder {
  let pending: Buffer = Buffer.alloc(0);
  return {
    push(chunk) {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      const out: Decoded[] = [];
      while (pending.length >= HEADER) {
        const size = frameSize(pending);
        if (pending.length < size) break;
        out.push(decodeOne(pending.subarray(0, size)));
        pending = pending.subarray(size);
      }
      return out;
    },
  };
}

function frameSize(buf: Buffer): number {
  if (buf.readUInt16BE(0) !== MAGIC) throw new Error('bad magic');
  if (buf.readUInt8(2) !== VERSION) throw new Error(`unsupported version ${buf.readUInt8(2)}`);
  const type = buf.readUInt8(3);
  if (type < 1 || type > types.length) throw new Error(`unknown frame type ${type}`);
  const payloadLength = buf.readUInt32BE(10);
  if (payloadLength > MAX_PAYLOAD) throw new Error(`payload of ${payloadLength} bytes is too large`);
  return HEADER + buf.readUInt16BE(8) + payloadLength + TRAILER;
}

function decodeOne(buf: Buffer): Decoded {
  const idEnd = HEADER + buf.readUInt16BE(8);
  const end = buf.length - TRAILER;
  return {
    frame: {
      type: types[buf.readUInt8(3) - 1] as FrameType,
      seq: buf.readUInt32BE(4),
      id: buf.toString('utf8', HEADER, idEnd),
      payload: buf.toString('utf8', idEnd, end),
    },
    intact: crc32(buf.subarray(0, end)) === buf.readUInt32BE(end),
  };
}
