// The baseline of the HTTP benchmarks: a bare Fastify hello-world, default options (no logger),
// run through the same loader as SOFY (`node bin/run-ts.js bench/lib/hello-fastify.ts`, PORT).
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.get('/', async () => ({ hello: 'world' }));
await app.listen({ port: Number(process.env.PORT ?? 3000), host: '127.0.0.1' });
console.log(`listening on ${process.env.PORT}`);
