// The shared test harness, in one import:
//   import { Safehub, Client, TotpDevice, addPartnership } from '../lib/index.mjs';
// See README.md beside this file.
export * from './safehub.mjs';
export * from './http.mjs';
export * from './totp.mjs';
export * from './postgres.mjs';
export * from './data.mjs';
export * from './tls.mjs';
export * from './runner.mjs';
export * from './smtp.mjs';
