#!/usr/bin/env node
// Helpers for the linkage accuracy tests (tests/linkage/run) and the benchmark
// (bench/section-linkage.sh):
//
//   node tools.mjs febrl IN.csv OUT.csv
//       Converts a FEBRL benchmark file to the columns `safehub link` reads:
//       rec_id -> id, given_name -> first_name, surname -> last_name,
//       date_of_birth YYYYMMDD -> YYYY-MM-DD, street_number + address_1 +
//       address_2 + suburb -> address, postcode kept.  soc_sec_id and state
//       are left out (agencies rarely share such a number).  A date that does
//       not exist (FEBRL's corruptions make some, e.g. 19570231) is written
//       blank, so that it counts as missing rather than losing the record.
//   node tools.mjs score PAIRS.csv TRUTH.csv
//       Pairwise precision, recall and F1 of the id_a,id_b pairs found against
//       the true pairs (unordered; any header naming two id columns).  Prints
//       one JSON line {"found","true","correct","precision","recall","f1"}.
import { readFileSync, writeFileSync } from "node:fs";

// Splits one line of FEBRL's comma-and-space CSV (no quoting is used there).
function febrlFields(line) {
  return line.split(",").map((f) => f.trim());
}

// YYYYMMDD -> YYYY-MM-DD when it is a real date between 1880 and 2100, else "".
export function febrlDate(s) {
  if (!/^\d{8}$/.test(s)) return "";
  const y = +s.slice(0, 4), m = +s.slice(4, 6), d = +s.slice(6, 8);
  if (y < 1880 || y > 2100 || m < 1 || m > 12 || d < 1) return "";
  const dim = new Date(Date.UTC(y, m, 0)).getUTCDate();
  if (d > dim) return "";
  return `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}`;
}

// One CSV field, quoted when needed.
function csvField(s) {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

// Converts FEBRL file IN to the contract's columns in OUT; returns counts.
export function convertFebrl(inPath, outPath) {
  const lines = readFileSync(inPath, "utf8").split(/\r?\n/).filter((l) => l.trim() !== "");
  const head = febrlFields(lines[0]);
  const col = (name) => {
    const i = head.indexOf(name);
    if (i < 0) throw new Error(`${inPath}: no column ${name}`);
    return i;
  };
  const c = {
    id: col("rec_id"), given: col("given_name"), surname: col("surname"), num: col("street_number"),
    a1: col("address_1"), a2: col("address_2"), suburb: col("suburb"), pc: col("postcode"), dob: col("date_of_birth"),
  };
  const out = ["id,first_name,last_name,date_of_birth,address,postcode"];
  let blanked = 0;
  for (const line of lines.slice(1)) {
    const f = febrlFields(line);
    const dob = febrlDate(f[c.dob] || "");
    if (!dob && f[c.dob]) blanked++;
    const address = [f[c.num], f[c.a1], f[c.a2], f[c.suburb]].filter((x) => x).join(" ");
    out.push([f[c.id], f[c.given], f[c.surname], dob, address, f[c.pc]].map((x) => csvField(x || "")).join(","));
  }
  writeFileSync(outPath, out.join("\n") + "\n");
  return { records: lines.length - 1, blankedDates: blanked };
}

// Reads a two-column pair file (header skipped) into a set of unordered keys.
function readPairs(path) {
  const set = new Set();
  const lines = readFileSync(path, "utf8").split(/\r?\n/).slice(1);
  for (const line of lines) {
    if (!line.trim()) continue;
    const [a, b] = line.split(",").map((x) => x.trim().replace(/^"|"$/g, ""));
    set.add(a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`);
  }
  return set;
}

// Pairwise precision, recall and F1 of FOUND against TRUTH.
export function score(foundPath, truthPath) {
  const found = readPairs(foundPath), truth = readPairs(truthPath);
  let correct = 0;
  for (const k of found) if (truth.has(k)) correct++;
  const precision = found.size ? correct / found.size : 0;
  const recall = truth.size ? correct / truth.size : 0;
  const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
  return { found: found.size, true: truth.size, correct, precision, recall, f1 };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [cmd, a, b] = process.argv.slice(2);
  if (cmd === "febrl" && a && b) {
    console.log(JSON.stringify(convertFebrl(a, b)));
  } else if (cmd === "score" && a && b) {
    console.log(JSON.stringify(score(a, b)));
  } else {
    console.error("usage: node tools.mjs febrl IN OUT | score PAIRS TRUTH");
    process.exit(2);
  }
}
