// your-service.mjs: a service of yours (here two routes like faultline's demo HTTP service) with
// the ledger faultline reads after each scenario: --ledger-url http://HOST:PORT/faultline/ledger
import Fastify from 'fastify';

const app = Fastify();
const items = new Map();

// The ledger: every operation id this service applied, how many times, and when first.
const applied = new Map(); // id → { id, count, first_ms }
function recordApplied(id) {
  const entry = applied.get(id) ?? { id, count: 0, first_ms: Date.now() };
  entry.count += 1;
  applied.set(id, entry);
}
app.get('/faultline/ledger', async () => ({ applied: [...applied.values()] }));
// Express: app.get('/faultline/ledger', (req, res) => res.json({ applied: [...applied.values()] }));

app.post('/ops/:id', async (req) => {
  items.set(req.params.id, req.body); // your write...
  recordApplied(req.params.id); // ...then, once it is really applied, the ledger
  return { ok: true };
});
app.get('/ops/:id', async (req, reply) => (items.has(req.params.id) ? items.get(req.params.id) : reply.code(404).send({ error: 'not found' })));

const address = await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 8080) });
console.log(`listening on ${address}`);
