/** Structured logs (pino): one line per lifecycle event, never per chunk; pretty on a TTY. */
import { pino } from 'pino';
import pretty from 'pino-pretty';
import type { EventBus, FaultlineEvent } from './events.js';
import type { Logger } from './logger.js';

/** A pino logger at `level`, pretty-printed when `prettyPrint` (a TTY), JSON lines otherwise. */
export function createLogger(level: string, prettyPrint: boolean, destination: NodeJS.WritableStream = process.stdout): Logger {
  const options = { level, base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime };
  if (!prettyPrint) return pino(options, destination as pino.DestinationStream);
  return pino(options, pretty({ sync: true, destination, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' }));
}

const levels: Record<FaultlineEvent['type'], 'info' | 'warn' | 'debug'> = {
  'proxy.created': 'info',
  'proxy.updated': 'info',
  'proxy.deleted': 'info',
  'proxy.enabled': 'info',
  'proxy.disabled': 'info',
  'toxic.added': 'info',
  'toxic.updated': 'info',
  'toxic.removed': 'info',
  'toxic.unknown_attributes': 'warn',
  'toxic.bypassed': 'warn',
  'connection.opened': 'debug',
  'connection.closed': 'debug',
  'connection.failed': 'warn',
  'proxy.error': 'warn',
  'fault.tripped': 'debug',
  'events.mark': 'debug',
};

/** Log messages that say more than the event's name. */
const messages: Partial<Record<FaultlineEvent['type'], string>> = {
  'toxic.unknown_attributes': 'toxic attributes ignored: its type has no such attribute (the server rejects them with --strict)',
  'toxic.bypassed': 'toxic passes this connection through untouched: the stream is not the protocol it understands',
};

/** A repeated failure (e.g. EMFILE on every accept or dial) is logged once, then once a second with a count. */
const REPEAT_MS = 1000;

/** Writes every event of `bus` to `logger`, one line each; returns the unsubscribe function. */
export function logEvents(bus: EventBus, logger: Logger): () => void {
  const repeats = new Map<string, { last: number; suppressed: number }>();
  // Only the kinds the level lets through: connection events are not even built at `info`.
  const kinds = (Object.keys(levels) as Array<FaultlineEvent['type']>).filter((type) => logger.isLevelEnabled(levels[type]));
  return bus.subscribe((event) => {
    const { type, at, time: _time, ...fields } = event;
    if (type === 'proxy.error' || type === 'connection.failed') {
      const key = `${type}\u0000${event.proxy}\u0000${event.error}`;
      const seen = repeats.get(key);
      if (seen && at - seen.last < REPEAT_MS) {
        seen.suppressed++;
        return;
      }
      repeats.set(key, { last: at, suppressed: 0 });
      if (seen?.suppressed) Object.assign(fields, { repeated: seen.suppressed });
    }
    logger[levels[type]](fields, messages[type] ?? type.replace('.', ' '));
  }, kinds);
}
