/// <reference types="node" />
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The config lives in web/ but the repo builds from its root
// (`vite build --config web/vite.config.ts`), so every path is anchored here.
const root = fileURLToPath(new URL('.', import.meta.url));
const api = process.env.SOFY_API_URL ?? 'http://localhost:3000';

export default defineConfig({
  root,
  base: '/',
  publicDir: fileURLToPath(new URL('./public', import.meta.url)),
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
  },
  server: {
    port: 5173,
    proxy: {
      '/v1': { target: api, changeOrigin: false },
      '/docs': { target: api, changeOrigin: false },
      '/openapi.json': { target: api, changeOrigin: false },
    },
  },
  preview: {
    proxy: {
      '/v1': { target: api, changeOrigin: false },
      '/docs': { target: api, changeOrigin: false },
      '/openapi.json': { target: api, changeOrigin: false },
    },
  },
});
