/** A scheduler driven by the test: no slice ever has room until `room` is set, and deferred tasks run only when asked. */
import type { Scheduler, Task } from '../../proxy/scheduler.js';

/** A Scheduler whose slices and deferred tasks the test controls. */
export interface ManualScheduler extends Scheduler {
  /** Whether hasRoom() answers true. */
  room: boolean;
  /** Tasks waiting. */
  readonly waiting: number;
  /** Runs the tasks waiting now (not those they defer); returns how many ran. */
  turn(): number;
}

/** A ManualScheduler, with no room to begin with. */
export function manualScheduler(): ManualScheduler {
  let tasks: Task[] = [];
  return {
    room: false,
    get waiting() {
      return tasks.length;
    },
    hasRoom() {
      return this.room;
    },
    later(task) {
      tasks.push(task);
    },
    turn() {
      const now = tasks;
      tasks = [];
      for (const task of now) task();
      return now.length;
    },
  };
}
