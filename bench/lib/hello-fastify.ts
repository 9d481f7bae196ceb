// The baseline of the HTTP benchmarks: a bare Fastify hello-world, default options (no logger),
// run through the same loader as SOFY (`node bin/run-ts.js bench/lib/hello-fastify.ts`, PORT).
// `POST /` parses a JSON body (up to 16 MiB, like SOFY's batch route) and answers how many
// `messages` it had: the floor for posting the same bodies to SOFY.
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.get('/', async () => ({ hello: 'world' }));
app.post('/', { bodyLimit: 16 * 1024 * 1024 }, async (request) => ({ received: (request.body as { messages?: unknown[] } | null)?.messages?.length ?? 0 }));
await app.listen({ port: Number(process.env.PORT ?? 3000), host: '127.0.0.1' });
console.log(`listening on ${process.env.PORT}`);
