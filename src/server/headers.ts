/**
 * Security headers on every response (UI pages, their files, API JSON), through @fastify/helmet.
 * The policy fits what the built UI loads: its own scripts and styles from /assets (Vite emits no
 * inline script), fetches to /api, a data: favicon. Nothing inline: React and recharts set styles
 * through the CSSOM (`element.style`), which CSP does not govern, so no 'unsafe-inline' is needed
 * even for style attributes (the browser tests fail on any CSP report). The page may not be
 * framed (clickjacking). HSTS and upgrade-insecure-requests are left out: the server speaks plain
 * HTTP on loopback or a LAN address; a TLS proxy in front decides about HSTS.
 */
import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';
import { NOT_BUILT_STYLE_SOURCE } from './ui.js';

/** Registers the headers for every route (call before the routes). */
export async function registerSecurityHeaders(app: FastifyInstance): Promise<void> {
  await app.register(helmet, {
    global: true,
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", NOT_BUILT_STYLE_SOURCE],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    xFrameOptions: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    strictTransportSecurity: false,
  });
}
