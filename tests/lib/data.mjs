// Test data: the contract's roles, a small partnership of agencies with one
// user per role, and valid synthetic children (NHS numbers in the 999 test
// range with correct check digits, postcodes in the unissued HF area).
import { randomBytes } from 'node:crypto';

/** The contract's eleven roles. */
export const ROLES = [
  'referrer',
  'mash',
  'social_worker',
  'cse_worker',
  'police',
  'analyst',
  'manager',
  'director',
  'strategic',
  'auditor',
  'admin',
];

/** Roles that need a second factor when totp_roles is left at its default. */
export const DEFAULT_TOTP_ROLES = ['mash', 'manager', 'director', 'analyst', 'auditor', 'admin'];

/** Agencies of a test partnership: code -> type. */
export const AGENCIES = {
  HFCSC: 'social_care',
  HFP: 'police',
  HFNHS: 'health',
  HFEDU: 'education',
  HFYPP: 'voluntary',
};

/** The agency each role's test user belongs to. */
export const ROLE_AGENCY = {
  referrer: 'HFEDU',
  mash: 'HFCSC',
  social_worker: 'HFCSC',
  cse_worker: 'HFYPP',
  police: 'HFP',
  analyst: 'HFP',
  manager: 'HFCSC',
  director: 'HFCSC',
  strategic: 'HFCSC',
  auditor: 'HFCSC',
  admin: 'HFCSC',
};

/** Adds every agency of AGENCIES to the installation SH. */
export async function addAgencies(sh) {
  for (const [code, type] of Object.entries(AGENCIES)) await sh.addAgency(code, type);
}

/**
 * Adds the agencies and one user per role in ROLES (usernames "u.ROLE");
 * resolves with {ROLE: user}.
 */
export async function addPartnership(sh, roles = ROLES) {
  await addAgencies(sh);
  const users = {};
  for (const role of roles) {
    users[role] = await sh.addUser({ username: `u.${role.replace(/_/g, '-')}`, role, agency: ROLE_AGENCY[role] });
  }
  return users;
}

/** The mod-11 check digit of nine NHS digits, or null when none exists (remainder 10). */
export function nhsCheckDigit(nine) {
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += Number(nine[i]) * (10 - i);
  const c = 11 - (sum % 11);
  if (c === 11) return 0;
  if (c === 10) return null;
  return c;
}

let nhsCounter = Math.floor(Math.random() * 500000);

/** A fresh valid NHS number in the 999 test range. */
export function nhsNumber() {
  for (;;) {
    const nine = `999${String(nhsCounter++ % 1000000).padStart(6, '0')}`;
    const c = nhsCheckDigit(nine);
    if (c !== null) return `${nine}${c}`;
  }
}

/** The same number with its check digit made wrong. */
export function badNhsNumber(valid) {
  const wrong = (Number(valid[9]) + 1) % 10;
  return `${valid.slice(0, 9)}${wrong}`;
}

/** A letters-only name nobody else in a test run has (search terms must not collide). */
export function uniqueName(prefix = 'Zed') {
  const letters = randomBytes(6)
    .toString('hex')
    .replace(/[0-9]/g, (d) => 'qwxyzjklmv'[Number(d)]);
  return `${prefix}${letters}`;
}

/** A valid child record for POST /api/v1/children, with OVERRIDES applied. */
export function childBody(overrides = {}) {
  return {
    first_name: uniqueName('Ava'),
    last_name: uniqueName('Quill'),
    aliases: [],
    date_of_birth: '2011-05-17',
    gender: 'female',
    ethnicity: 'WBRI',
    address: '12 Tannery Lane, Holmford',
    postcode: 'HF5 2AB',
    nhs_number: nhsNumber(),
    school: 'Holmford Academy',
    looked_after: false,
    ...overrides,
  };
}
