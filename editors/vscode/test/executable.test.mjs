// Tests how the extension finds `privet` (src/executable.ts, compiled by tsc into $PRIVET_VSCODE_OUT).
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { after, test } from 'node:test';

const out = process.env.PRIVET_VSCODE_OUT;
assert.ok(out, 'set PRIVET_VSCODE_OUT to the directory tsc compiled src/ into (ctest does)');
const { resolveExecutable } = createRequire(import.meta.url)(resolve(out, 'executable.js'));

const root = mkdtempSync(join(tmpdir(), 'privet-exe-'));
after(() => rmSync(root, { recursive: true, force: true }));
const bin = join(root, 'bin');
const other = join(root, 'other');
mkdirSync(bin);
mkdirSync(other);
writeFileSync(join(bin, 'privet'), '#!/bin/sh\n');
chmodSync(join(bin, 'privet'), 0o755);
writeFileSync(join(other, 'privet'), 'not executable\n');
chmodSync(join(other, 'privet'), 0o644);
mkdirSync(join(other, 'dir-named-privet'));

test('a bare name is looked up on PATH, skipping what is not executable', () => {
  const env = { PATH: [other, '', bin].join(delimiter) };
  assert.equal(resolveExecutable('privet', env, undefined), join(bin, 'privet'));
  assert.equal(resolveExecutable('privet', { PATH: other }, undefined), undefined);
  assert.equal(resolveExecutable('privet', {}, undefined), undefined);
  assert.equal(resolveExecutable('dir-named-privet', { PATH: other }, undefined), undefined);
});

test('a path is taken as it is, relative to the workspace folder', () => {
  assert.equal(resolveExecutable(join(bin, 'privet'), {}, undefined), join(bin, 'privet'));
  assert.equal(resolveExecutable('bin/privet', {}, root), join(bin, 'privet'));
  assert.equal(resolveExecutable('./bin/privet', { PATH: '' }, root), join(bin, 'privet'));
  assert.equal(resolveExecutable('other/privet', {}, root), undefined);
  assert.equal(resolveExecutable('missing/privet', {}, root), undefined);
});
