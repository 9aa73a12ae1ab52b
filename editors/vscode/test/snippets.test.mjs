// Expands every snippet of snippets/privet.json with its default text and checks the result with
// the built `privet` (path in $PRIVET): a policy and a module made of all the snippets check
// clean, without a single diagnostic, are in `privet fmt`'s layout, and the policy's tests pass.
// PRIVET_SNIPPETS_KEEP=<dir> keeps the generated files there for a look.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { extensionDir } from './tokenize.mjs';

const snippets = JSON.parse(readFileSync(join(extensionDir, 'snippets', 'privet.json'), 'utf8'));
const fileBase = 'snippet_policy';
const variables = { TM_FILENAME_BASE: fileBase, CURRENT_YEAR: '2026', CURRENT_MONTH: '01', CURRENT_DATE: '31' };

/**
 * What VS Code inserts when every placeholder keeps its default: `${1:text}` becomes text
 * (expanded in turn), `${1|a,b|}` its first choice, `$1`/`${1}` nothing, variables their value
 * (with `/regex/format/flags` transforms applied).
 */
export function expandSnippet(body) {
  let text = Array.isArray(body) ? body.join('\n') : body;
  const rules = [
    [/\$\{(\d+):((?:[^${}]|\$[A-Za-z_]+|\\.)*)\}/g, (_, _n, inner) => inner],
    [/\$\{\d+\|([^,|]*)[^}]*\|\}/g, (_, first) => first],
    [/\$\{([A-Z_]+)\/([^/]*)\/([^/]*)\/([gim]*)\}/g, (_, name, re, fmt, flags) =>
      (variables[name] ?? '').replace(new RegExp(re, flags), fmt)],
    [/\$\{([A-Z_]+)\}|\$([A-Z_]+)/g, (m, a, b) => variables[a ?? b] ?? m],
    [/\$\{\d+\}|\$\d+/g, () => ''],
  ];
  // Placeholders nest: expand innermost-first until nothing changes.
  for (let previous = ''; previous !== text; ) {
    previous = text;
    for (const [re, replace] of rules) text = text.replace(re, replace);
  }
  assert.ok(!/\$[{\w]/.test(text), `unexpanded placeholder in:\n${text}`);
  // Tabs become the editor's indentation; the line left for the final cursor ($0) stays empty.
  return text.replace(/\t/g, '  ').replace(/[ ]+$/gm, '').trimEnd();
}

const named = (name) => {
  assert.ok(snippets[name], `no snippet ${JSON.stringify(name)}`);
  return expandSnippet(snippets[name].body);
};

// Snippets that are not a declaration of their own get the context they are typed in.
const wrappers = {
  // VS Code indents every line of a snippet by the indentation of the line it is typed on.
  Expectation: (text) => `test "the expectation snippet" {\n  ${text.replace(/\n/g, '\n  ')}\n}`,
  '@source': (text) => `${text}\ncontext annotated_by_source "Annotated";`,
  '@doc': (text) => `${text}\ncontext annotated_by_doc "Annotated";`,
  // The suppressed check fires: this rule repeats part of `provide_service`.
  '@suppress': (text) =>
    `${text}\nrepeated:\n  allow use email_address\n    about customers\n    for account_management\n` +
    `    under gdpr.contract\n    with gdpr.retain_while_needed;`,
};

function declarations() {
  return Object.keys(snippets)
    .filter((name) => !['Policy header', 'Module header'].includes(name))
    .map((name) => (wrappers[name] ?? ((t) => t))(named(name)))
    .join('\n\n');
}

const work = process.env.PRIVET_SNIPPETS_KEEP ?? mkdtempSync(join(tmpdir(), 'privet-snippets-'));
after(() => process.env.PRIVET_SNIPPETS_KEEP || rmSync(work, { recursive: true, force: true }));

function privet(args) {
  const exe = process.env.PRIVET;
  assert.ok(exe, 'set PRIVET to the built privet executable (ctest does)');
  const run = spawnSync(exe, args, { cwd: work, encoding: 'utf8', timeout: 120000 });
  assert.equal(run.error, undefined, String(run.error));
  return run;
}

function checkClean(file, text) {
  const path = join(work, file);
  writeFileSync(path, text + '\n');
  // Each vocabulary snippet declares fresh names that no other snippet needs to mention.
  const run = privet(['check', '-W', 'no-unused_declaration', path]);
  assert.equal(run.status, 0, `privet check ${file} exited ${run.status}:\n${run.stdout}${run.stderr}\n--- ${file}:\n${text}`);
  assert.equal((run.stdout + run.stderr).match(/(error|warning): .*/g), null, `diagnostics for ${file}:\n${run.stdout}${run.stderr}`);
  const fmt = privet(['fmt', '--check', path]);
  assert.equal(fmt.status, 0, `${file} is not in privet fmt's layout:\n${fmt.stdout}${fmt.stderr}\n--- privet fmt:\n${privet(['fmt', path]).stdout}`);
  return path;
}

test('snippet defaults expand', () => {
  assert.equal(expandSnippet('a ${1:b ${2:c}} ${3|x,y|} $0'), 'a b c x');
  assert.match(named('Policy header'), /^policy snippet_policy "Privacy Policy" version "1.0" effective "2026-01-31";/);
});

test('every snippet has a prefix, a description and a body', () => {
  for (const [name, s] of Object.entries(snippets)) {
    assert.ok(s.prefix && s.description && s.body, name);
  }
});

test('a policy made of every snippet checks clean and passes its tests', () => {
  const path = checkClean(`${fileBase}.privet`, `${named('Policy header')}\n\n${declarations()}`);
  const run = privet(['test', path]);
  assert.equal(run.status, 0, `privet test exited ${run.status}:\n${run.stdout}${run.stderr}`);
  // The `test` snippet and the `expect` snippet's wrapper: two tests.
  assert.match(run.stdout + run.stderr, /\b2 passed, 0 failed\b/);
});

test('a module made of every snippet checks clean', () => {
  checkClean('snippet_module.privet', `${named('Module header').replace(fileBase, 'snippet_module')}\n\n${declarations()}`);
});
