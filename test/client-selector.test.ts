import t from 'tap';
import { clientMatcher, parseClientSelector } from '../proxy/client-selector.js';

const ids = (from: number, count: number): number[] => Array.from({ length: count }, (_, i) => from + i);
const picked = (selector: unknown, list: number[]): number[] => {
  const match = clientMatcher(parseClientSelector(selector) as never);
  return list.filter((id) => match(id, {}));
};

t.test('a fraction picks the same connection ids for the same seed, and others for another seed', async (t) => {
  const list = ids(1, 200);
  const a = picked({ fraction: 0.5, seed: 7 }, list);
  t.same(picked({ fraction: 0.5, seed: 7 }, list), a, 'same seed, same ids: same picks');
  t.not(picked({ fraction: 0.5, seed: 8 }, list).join(), a.join(), 'another seed picks others');
  t.same(picked({ fraction: 0.5 }, list), picked({ fraction: 0.5, seed: 0 }, list), 'the default seed is 0');
});

t.test('a fraction gets its share of any run of consecutive ids to within 4 connections', async (t) => {
  let worst = 0;
  for (const seed of [0, 1, 7, 42, 1234]) {
    for (const fraction of [0.1, 0.25, 0.5, 0.7, 0.9]) {
      for (const start of [1, 17, 500]) {
        for (const count of [10, 100, 200, 1000]) {
          worst = Math.max(worst, Math.abs(picked({ fraction, seed }, ids(start, count)).length - fraction * count));
        }
      }
    }
  }
  t.ok(worst <= 4, `worst miss: ${worst.toFixed(1)} connections`);
  const halves = Array.from({ length: 100 }, (_, seed) => picked({ fraction: 0.5, seed }, ids(1, 100)).length);
  t.ok(halves.every((n) => n >= 48 && n <= 52), `half of ids 1..100 (50 ± 2) for seeds 0..99: ${Math.min(...halves)}..${Math.max(...halves)}`);
});

t.test('fraction 0 picks none and 1 picks all', async (t) => {
  t.same(picked({ fraction: 0 }, ids(1, 50)), []);
  t.same(picked({ fraction: 1 }, ids(1, 50)), ids(1, 50));
});

t.test('ids pick exactly the listed connections', async (t) => {
  t.same(picked({ ids: [3, 7] }, ids(1, 10)), [3, 7]);
});

t.test('addresses match the client IP, or IP and port; a dual-stack IPv4 client matches its plain form', async (t) => {
  const match = clientMatcher(parseClientSelector({ addresses: ['127.0.0.2', '127.0.0.3:5000', '[::1]:6000'] }) as never);
  t.ok(match(1, { remoteAddress: '127.0.0.2', remotePort: 40000 }), 'any port of 127.0.0.2');
  t.ok(match(1, { remoteAddress: '::ffff:127.0.0.2', remotePort: 40000 }), 'as a dual-stack listener sees it');
  t.notOk(match(1, { remoteAddress: '127.0.0.1', remotePort: 40000 }), 'not 127.0.0.1');
  t.ok(match(1, { remoteAddress: '127.0.0.3', remotePort: 5000 }), '127.0.0.3 from port 5000');
  t.notOk(match(1, { remoteAddress: '127.0.0.3', remotePort: 5001 }), 'but from no other port');
  t.ok(match(1, { remoteAddress: '::1', remotePort: 6000 }), 'an IPv6 address with a port');
});

t.test('{} and absent mean every connection (no selector)', async (t) => {
  t.equal(parseClientSelector({}), undefined);
  t.equal(parseClientSelector(undefined), undefined);
});

t.test('a bad selector is refused naming the field and the reason', async (t) => {
  const cases: Array<[unknown, string | undefined]> = [
    [5, 'clients'],
    [[], 'clients'],
    [{ fraction: 2 }, 'clients.fraction'],
    [{ fraction: '0.5' }, 'clients.fraction'],
    [{ fraction: 0.5, seed: 1.5 }, 'clients.seed'],
    [{ fraction: 0.5, sede: 1 }, 'clients.sede'],
    [{ fraction: 0.5, ids: [1] }, 'clients'],
    [{ addresses: [] }, 'clients.addresses'],
    [{ addresses: ['127.0.0.2', 'localhost'] }, 'clients.addresses.1'],
    [{ addresses: ['127.0.0.2:0'] }, 'clients.addresses.0'],
    [{ addresses: ['127.0.0.2:65536'] }, 'clients.addresses.0'],
    [{ addresses: ['::1'] }, undefined],
    [{ ids: [0] }, 'clients.ids.0'],
    [{ ids: 'all' }, 'clients.ids'],
    [{ hosts: ['a'] }, 'clients.hosts'],
  ];
  for (const [value, field] of cases) {
    if (field === undefined) {
      t.ok(parseClientSelector(value), `${JSON.stringify(value)} is valid`);
      continue;
    }
    t.throws(() => parseClientSelector(value), { code: 'ERR_INVALID_FIELD', field, message: new RegExp(`^${field.replace(/\./g, '\\.')}: `) }, JSON.stringify(value));
  }
});
