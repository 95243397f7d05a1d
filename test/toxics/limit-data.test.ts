import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import t from 'tap';
import { dial, echoServer, proxyTo, record, roundTrip, type Recording } from '../helpers/net.js';

/** Writes `writes` one at a time, each after the echo of the previous one came back (or the socket ended). */
async function writeInTurn(socket: Socket, got: Recording, writes: Buffer[]): Promise<Buffer> {
  let expected = got.bytes;
  for (const chunk of writes) {
    if (got.ending) break;
    socket.write(chunk);
    expected += chunk.length;
    await Promise.race([got.waitForBytes(expected).catch(() => undefined), got.ended]);
  }
  return Buffer.concat(writes);
}

t.test('limit_data smaller than one write delivers exactly that many bytes, then closes', async (t) => {
  const { proxy, port } = await proxyTo(t, await echoServer(t));
  proxy.addToxic({ type: 'limit_data', attributes: { bytes: 10 } });
  const socket = await dial(t, port);
  const got = record(socket);
  const payload = randomBytes(100);
  socket.write(payload);
  const ending = await got.ended;
  t.equal(ending.how, 'end', 'the client sees the connection end');
  t.ok(got.data().equals(payload.subarray(0, 10)), `received ${got.bytes} bytes: the first 10`);
});

t.test('limit_data spanning several writes delivers exactly that many bytes, then closes', async (t) => {
  const { proxy, port } = await proxyTo(t, await echoServer(t));
  proxy.addToxic({ type: 'limit_data', attributes: { bytes: 250 } });
  const socket = await dial(t, port);
  const got = record(socket);
  const sent = await writeInTurn(socket, got, [randomBytes(100), randomBytes(100), randomBytes(100), randomBytes(100)]);
  const ending = await got.ended;
  t.equal(ending.how, 'end', 'the client sees the connection end');
  t.ok(got.chunks.length >= 3, `the bytes came in ${got.chunks.length} reads`);
  t.ok(got.data().equals(sent.subarray(0, 250)), `received ${got.bytes} bytes: the first 250`);
});

t.test('limit_data equal to the bytes sent delivers them all, then closes', async (t) => {
  const { proxy, port } = await proxyTo(t, await echoServer(t));
  proxy.addToxic({ type: 'limit_data', attributes: { bytes: 200 } });
  const socket = await dial(t, port);
  const got = record(socket);
  const sent = await writeInTurn(socket, got, [randomBytes(100), randomBytes(100)]);
  const ending = await got.ended;
  t.equal(ending.how, 'end', 'the client sees the connection end');
  t.ok(got.data().equals(sent), `received ${got.bytes} bytes: all 200`);
});

t.test('limit_data 0 closes the connection on the first data, delivering nothing', async (t) => {
  const { proxy, port } = await proxyTo(t, await echoServer(t));
  proxy.addToxic({ type: 'limit_data', attributes: { bytes: 0 } });
  const socket = await dial(t, port);
  const got = record(socket);
  socket.write('hello');
  const ending = await got.ended;
  t.equal(ending.how, 'end', 'the client sees the connection end');
  t.equal(got.bytes, 0, 'no byte delivered');
});

t.test('limit_data on the upstream lets the server receive exactly that many bytes, then closes', async (t) => {
  let accepted!: (server: Recording) => void;
  const serverSide = new Promise<Recording>((resolve) => {
    accepted = resolve;
  });
  const { proxy, port } = await proxyTo(t, await echoServer(t, (s) => accepted(record(s))));
  proxy.addToxic({ type: 'limit_data', stream: 'upstream', attributes: { bytes: 150 } });
  const socket = await dial(t, port);
  const got = record(socket);
  const sent = [randomBytes(100), randomBytes(100)];
  socket.write(sent[0]);
  const server = await serverSide;
  await server.waitForBytes(100);
  socket.write(sent[1]);
  t.equal((await server.ended).how, 'end', 'the server sees the connection end');
  t.ok(server.data().equals(Buffer.concat(sent).subarray(0, 150)), `the server received ${server.bytes} bytes: the first 150`);
  t.equal((await got.ended).how, 'end', 'the client sees the connection end');
});

t.test('limit_data keeps counting across an update', async (t) => {
  const { proxy, port } = await proxyTo(t, await echoServer(t));
  proxy.addToxic({ type: 'limit_data', attributes: { bytes: 300 } });
  const socket = await dial(t, port);
  const got = record(socket);
  const first = await writeInTurn(socket, got, [randomBytes(100), randomBytes(100)]);
  t.equal(got.bytes, 200, '200 bytes passed under the first limit');
  proxy.updateToxic('limit_data_downstream', { attributes: { bytes: 250 } });
  const second = await writeInTurn(socket, got, [randomBytes(100)]);
  const ending = await got.ended;
  t.equal(ending.how, 'end', 'the client sees the connection end');
  t.ok(
    got.data().equals(Buffer.concat([first, second.subarray(0, 50)])),
    `received ${got.bytes} bytes in all: the new limit counted the 200 already passed`,
  );
});

t.test('limit_data added to an already open connection counts from 0', async (t) => {
  const { proxy, port } = await proxyTo(t, await echoServer(t));
  const socket = await dial(t, port);
  for (let i = 0; i < 5; i++) await roundTrip(socket, randomBytes(100));
  proxy.addToxic({ type: 'limit_data', attributes: { bytes: 100 } });
  const got = record(socket);
  const sent = await writeInTurn(socket, got, [randomBytes(60), randomBytes(60)]);
  const ending = await got.ended;
  t.equal(ending.how, 'end', 'the client sees the connection end');
  t.ok(got.data().equals(sent.subarray(0, 100)), `received ${got.bytes} bytes after the toxic was added: the first 100`);
});

t.test('limit_data rejects negative or fractional bytes, naming the field', async (t) => {
  const { proxy } = await proxyTo(t, await echoServer(t));
  for (const bytes of [-1, 0.5]) {
    t.throws(
      () => proxy.addToxic({ type: 'limit_data', attributes: { bytes } }),
      { name: 'FaultlineError', code: 'ERR_INVALID_ATTRIBUTE', field: 'attributes.bytes' },
      `bytes ${bytes} rejected on add`,
    );
  }
  proxy.addToxic({ type: 'limit_data', attributes: { bytes: 10 } });
  t.throws(
    () => proxy.updateToxic('limit_data_downstream', { attributes: { bytes: -10 } }),
    { name: 'FaultlineError', code: 'ERR_INVALID_ATTRIBUTE', field: 'attributes.bytes' },
    'bytes -10 rejected on update',
  );
});
