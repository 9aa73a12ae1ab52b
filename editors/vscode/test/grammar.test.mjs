// Tokenization tests of syntaxes/privet.tmLanguage.json: focused fixtures, the keywords of
// grammar/Privet.g4, and every .privet file of the standard library and the examples.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { repoRoot, tokenize } from './tokenize.mjs';

/** Asserts that the n-th (0-based) token with this text carries a scope starting with `scope`. */
function assertScope(tokens, text, scope, n = 0) {
  const matches = tokens.filter((t) => t.text === text);
  assert.ok(matches.length > n, `no token ${JSON.stringify(text)} #${n}`);
  const { scopes, line } = matches[n];
  assert.ok(
    scopes.some((s) => s === scope || s.startsWith(scope + '.')),
    `${JSON.stringify(text)} (line ${line}) has [${scopes.join(', ')}], expected ${scope}`,
  );
}

/** The innermost scope of a token: what a theme colours it by. */
const innermost = (t) => t.scopes[t.scopes.length - 1] ?? '';

test('header, imports and comments', async () => {
  const tokens = await tokenize(
    [
      'policy outpost24 "Outpost24 Privacy Policy" version "2020-08-27" effective "2020-08-27";',
      'import gdpr;   // the GDPR vocabulary',
      'import taxonomy as tx;  # hash comment',
      'import "common/vendors.privet" as vendors;',
      '/* a block comment',
      '   over two lines */',
    ].join('\n'),
  );
  assertScope(tokens, 'policy', 'storage.type.policy.privet');
  assertScope(tokens, 'outpost24', 'entity.name.namespace.privet');
  assertScope(tokens, 'Outpost24 Privacy Policy', 'string.quoted.double.privet');
  assertScope(tokens, 'version', 'keyword.other.version.privet');
  assertScope(tokens, 'effective', 'keyword.other.effective.privet');
  assertScope(tokens, 'import', 'keyword.control.import.privet');
  assertScope(tokens, 'gdpr', 'entity.name.namespace.privet');
  assertScope(tokens, 'as', 'keyword.control.as.privet');
  assertScope(tokens, 'tx', 'entity.name.namespace.privet');
  assertScope(tokens, 'common/vendors.privet', 'string.quoted.double.privet');
  assertScope(tokens, ' the GDPR vocabulary', 'comment.line.double-slash.privet');
  assertScope(tokens, ' hash comment', 'comment.line.number-sign.privet');
  assertScope(tokens, '   over two lines ', 'comment.block.privet');
  assertScope(tokens, '*/', 'punctuation.definition.comment.end.privet');

  const module = await tokenize('module gdpr "General Data Protection Regulation";');
  assertScope(module, 'module', 'storage.type.module.privet');
  assertScope(module, 'gdpr', 'entity.name.namespace.privet');
});

test('strings and their escapes', async () => {
  const tokens = await tokenize('category c "say \\"hi\\" \\\\ and \\n";\ncategory d "open;');
  assertScope(tokens, 'say ', 'string.quoted.double.privet');
  assertScope(tokens, '\\"', 'constant.character.escape.privet');
  assertScope(tokens, '\\\\', 'constant.character.escape.privet');
  // Only \" and \\ are escapes (E0002 otherwise); a string ends at the line's end (E0003).
  assertScope(tokens, '\\n', 'invalid.illegal.unknown-escape.privet');
  assertScope(tokens, '"open;', 'invalid.illegal.unclosed-string.privet');
  const comment = await tokenize('// "not a string" allow');
  assert.deepEqual(comment.map(innermost), [
    'punctuation.definition.comment.privet',
    'comment.line.double-slash.privet',
  ]);
});

test('annotations', async () => {
  const tokens = await tokenize(
    [
      '@source("§3 Log data: our servers collect (automatically) ...")',
      '@doc("A description")',
      '@suppress(redundant_rule, "kept for the audit trail")',
      'rule_a: allow tx.use;',
    ].join('\n'),
  );
  assertScope(tokens, '@', 'punctuation.definition.annotation.privet');
  assertScope(tokens, 'source', 'storage.type.annotation.privet');
  assertScope(tokens, 'doc', 'storage.type.annotation.privet');
  assertScope(tokens, 'suppress', 'storage.type.annotation.privet');
  assertScope(tokens, '§3 Log data: our servers collect (automatically) ...', 'meta.annotation.arguments.privet');
  assertScope(tokens, '§3 Log data: our servers collect (automatically) ...', 'string.quoted.double.privet');
  assertScope(tokens, 'redundant_rule', 'meta.annotation.privet');
  assertScope(tokens, 'redundant_rule', 'variable.other.privet');
  assertScope(tokens, 'rule_a', 'entity.name.function.rule.privet');
  // The annotation ends at its closing parenthesis.
  assert.ok(!tokens.find((t) => t.text === 'rule_a').scopes.some((s) => s.startsWith('meta.annotation')));
});

test('vocabularies: kinds, names, parents and recipient properties', async () => {
  const tokens = await tokenize(
    [
      'category personal_information "Personal Information" {',
      '  contact "Contact" { name; email_address : tx.email_address; }',
      '  combine "Combine with other data";',
      '}',
      'category cookies "Cookies" : other_information, tracking_technology;',
      'recipient service_providers "Providers" role gdpr.processor under contract {',
      '  web_hosting;',
      '}',
      'recipient eu_hosting located in gdpr.eea under contract : service_providers;',
      'obligation retention "Retention limit" { retain_for(duration); retain_while_needed; }',
      'action share; subject visitors; purpose marketing; basis consent; region eea; context forms;',
    ].join('\n'),
  );
  for (const kind of ['category', 'recipient', 'obligation', 'action', 'subject', 'purpose', 'basis', 'region', 'context'])
    assertScope(tokens, kind, `storage.type.${kind}.privet`);
  for (const name of ['personal_information', 'contact', 'name', 'email_address', 'combine', 'cookies', 'web_hosting', 'retain_for', 'retain_while_needed', 'share'])
    assertScope(tokens, name, 'entity.name.type.vocabulary.privet');
  assertScope(tokens, 'eea', 'variable.other.privet');
  assertScope(tokens, 'eea', 'entity.name.type.vocabulary.privet', 1);
  assertScope(tokens, 'contact', 'meta.declaration.vocabulary.category.privet');
  assertScope(tokens, 'other_information', 'entity.other.inherited-class.privet');
  assertScope(tokens, 'tracking_technology', 'entity.other.inherited-class.privet');
  assertScope(tokens, 'email_address', 'entity.other.inherited-class.privet', 1);
  assertScope(tokens, 'processor', 'entity.other.inherited-class.privet');
  assertScope(tokens, 'role', 'keyword.other.property.privet');
  assertScope(tokens, 'located', 'keyword.other.property.privet');
  assertScope(tokens, 'contract', 'keyword.other.property.privet');
  assertScope(tokens, 'under', 'keyword.other.scope.privet');
  assertScope(tokens, 'duration', 'support.type.primitive.privet');
  assertScope(tokens, 'Combine with other data', 'string.quoted.double.privet');
});

test('enums, attributes and combinations', async () => {
  const tokens = await tokenize(
    [
      'enum consent_state { given, withdrawn, not_asked }',
      'attribute marketing_opt_out "The person opted out of marketing": bool = false;',
      'attribute consent_status: gdpr.consent_state;',
      'attribute data_age: duration = 30 days;',
      'combine other_information with personal_information as combined_information;',
    ].join('\n'),
  );
  assertScope(tokens, 'enum', 'storage.type.enum.privet');
  assertScope(tokens, 'consent_state', 'entity.name.type.enum.privet');
  assertScope(tokens, 'withdrawn', 'variable.other.enummember.privet');
  assertScope(tokens, 'attribute', 'storage.type.attribute.privet');
  assertScope(tokens, 'marketing_opt_out', 'entity.name.variable.attribute.privet');
  assertScope(tokens, 'bool', 'support.type.primitive.privet');
  assertScope(tokens, 'false', 'constant.language.boolean.false.privet');
  assertScope(tokens, 'consent_state', 'entity.name.type.privet', 1);
  assertScope(tokens, '30', 'constant.numeric.duration.privet');
  assertScope(tokens, 'days', 'keyword.other.unit.privet');
  assertScope(tokens, 'combine', 'keyword.other.combine.privet');
  assertScope(tokens, 'with', 'keyword.other.with.privet');
  assertScope(tokens, 'as', 'keyword.other.as.privet');
});

test('rules, conditions, obligations and exceptions', async () => {
  const tokens = await tokenize(
    [
      'marketing_email:',
      '  allow use, share contact about customers for communications under gdpr.consent',
      '    to not ad_tech in eea from forms',
      '    when age >= 16 and (gdpr.consent_status == given or not opted_out)',
      '    unless status not in { requested, refused }',
      '    with obligations unsubscribe_link, gdpr.retain_for(2 years)',
      '  except {',
      '    opt_out: deny for marketing when marketing_opt_out != true;',
      '  }',
      'deny any payment for marketing;',
      'require never share payment to ad_tech_providers;',
      'require always delete about customers when erasure_requested;',
    ].join('\n'),
  );
  assertScope(tokens, 'marketing_email', 'entity.name.function.rule.privet');
  assertScope(tokens, ':', 'punctuation.separator.label.privet');
  assertScope(tokens, 'allow', 'keyword.control.allow.privet');
  assertScope(tokens, 'deny', 'keyword.control.deny.privet');
  for (const word of ['about', 'for', 'under', 'to', 'in', 'from'])
    assertScope(tokens, word, 'keyword.other.scope.privet');
  assertScope(tokens, 'when', 'keyword.control.conditional.privet');
  assertScope(tokens, 'unless', 'keyword.control.conditional.privet');
  assertScope(tokens, 'and', 'keyword.operator.logical.privet');
  assertScope(tokens, 'or', 'keyword.operator.logical.privet');
  assertScope(tokens, 'not', 'keyword.operator.logical.privet');
  assertScope(tokens, 'in', 'keyword.operator.membership.privet', 1);
  assertScope(tokens, '>=', 'keyword.operator.comparison.privet');
  assertScope(tokens, '==', 'keyword.operator.comparison.privet');
  assertScope(tokens, '!=', 'keyword.operator.comparison.privet');
  assertScope(tokens, '16', 'constant.numeric.integer.decimal.privet');
  assertScope(tokens, 'obligations', 'keyword.other.obligation.privet');
  assertScope(tokens, '2', 'constant.numeric.duration.privet');
  assertScope(tokens, 'years', 'keyword.other.unit.privet');
  assertScope(tokens, 'except', 'keyword.control.except.privet');
  assertScope(tokens, 'opt_out', 'entity.name.function.rule.privet');
  assertScope(tokens, 'true', 'constant.language.boolean.true.privet');
  assertScope(tokens, 'any', 'constant.language.any.privet');
  assertScope(tokens, 'require', 'keyword.control.require.privet');
  assertScope(tokens, 'never', 'keyword.other.quantifier.privet');
  assertScope(tokens, 'always', 'keyword.other.quantifier.privet');
  // Qualified names: the qualifier is a namespace, the last part a name.
  assertScope(tokens, 'gdpr', 'entity.name.namespace.privet');
  assertScope(tokens, '.', 'punctuation.accessor.privet');
  assertScope(tokens, 'consent', 'variable.other.privet');
  assertScope(tokens, 'contact', 'variable.other.privet');
});

test('tests and expectations', async () => {
  const tokens = await tokenize(
    [
      'test "marketing opt-out is honoured" {',
      '  @source("§9 opt out")',
      '  expect deny use email_address for marketing given consent = given, age = 7 months;',
      '  expect allow use email_address with unsubscribe_link by gdpr.marketing_email;',
      '  expect error use email_address for marketing;',
      '}',
    ].join('\n'),
  );
  assertScope(tokens, 'test', 'storage.type.test.privet');
  assertScope(tokens, 'marketing opt-out is honoured', 'entity.name.function.test.privet');
  assertScope(tokens, 'marketing opt-out is honoured', 'string.quoted.double.privet');
  assertScope(tokens, 'expect', 'keyword.control.expect.privet');
  assertScope(tokens, 'deny', 'keyword.control.deny.privet');
  assertScope(tokens, 'error', 'keyword.control.error.privet');
  // `given` introduces assignments, and is also a common enum constant.
  assertScope(tokens, 'given', 'keyword.other.given.privet', 0);
  assertScope(tokens, 'given', 'variable.other.privet', 1);
  assertScope(tokens, '=', 'keyword.operator.assignment.privet');
  assertScope(tokens, 'months', 'keyword.other.unit.privet');
  assertScope(tokens, 'by', 'keyword.other.by.privet');
  assertScope(tokens, 'marketing_email', 'entity.name.function.rule.privet');
  assertScope(tokens, 'source', 'storage.type.annotation.privet');
});

test('every duration unit, singular and plural', async () => {
  for (const unit of ['second', 'minute', 'hour', 'day', 'week', 'month', 'year']) {
    for (const written of [unit, unit + 's']) {
      const tokens = await tokenize(`attribute a: duration = 1 ${written};`);
      assertScope(tokens, '1', 'constant.numeric.duration.privet');
      assertScope(tokens, written, 'keyword.other.unit.privet');
    }
  }
  const notDuration = await tokenize('attribute a: int = 12;');
  assertScope(notDuration, '12', 'constant.numeric.integer.decimal.privet');
  assert.ok(!notDuration.find((t) => t.text === '12').scopes.includes('constant.numeric.duration.privet'));
});

test('characters the lexer rejects are invalid', async () => {
  for (const bad of ['!', '$', '%', '&', '*', '/', '+', '-', '[', "'", 'é'])
    assertScope(await tokenize(`deny x ${bad} y;`), bad, 'invalid.illegal.character.privet');
  // `@` must be followed by the annotation's name.
  assertScope(await tokenize('deny x @;'), '@', 'invalid.illegal.character.privet');
});

test('the controller block', async () => {
  const tokens = await tokenize(
    [
      'controller "Outpost24 AB" {',
      '  contact "legal@outpost24.com";',
      '  dpo "Jane Doe" contact "dpo@example.com";',
      '  representative "Rep Ltd" contact "rep@example.com";',
      '  processor for "Customers" contact "their contract" purpose instructed_processing, tx.x;',
      '}',
      'allow use contact for processor;',
    ].join('\n'),
  );
  assertScope(tokens, 'controller', 'storage.type.controller.privet');
  assertScope(tokens, 'Outpost24 AB', 'string.quoted.double.privet');
  assertScope(tokens, 'contact', 'keyword.other.controller.privet');
  assertScope(tokens, 'dpo', 'keyword.other.controller.privet');
  assertScope(tokens, 'representative', 'keyword.other.controller.privet');
  assertScope(tokens, 'processor', 'keyword.other.controller.privet');
  assertScope(tokens, 'purpose', 'keyword.other.controller.privet');
  assertScope(tokens, 'instructed_processing', 'variable.other.privet');
  // Outside the block the words are names.
  assertScope(tokens, 'contact', 'variable.other.privet', 4);
  assertScope(tokens, 'processor', 'variable.other.privet', 1);
});

// The keywords of grammar/Privet.g4: `ALLOW : 'allow' ;`, reserved ones before "// Soft keywords.".
function keywordsOfG4() {
  const g4 = readFileSync(join(repoRoot, 'grammar', 'Privet.g4'), 'utf8');
  const soft = g4.indexOf('// Soft keywords.');
  assert.ok(soft > 0, 'grammar/Privet.g4 has no "// Soft keywords." section');
  const words = (text) => [...text.matchAll(/^[A-Z_]+ : '([a-z]+)' ;$/gm)].map((m) => m[1]);
  return { reserved: words(g4.slice(0, soft)), soft: words(g4.slice(soft)) };
}

const keywordLike = (scope) => /^(keyword|storage|constant\.language)\./.test(scope);

test('every keyword of grammar/Privet.g4 is highlighted where it acts as one', async () => {
  const { reserved, soft } = keywordsOfG4();
  assert.ok(reserved.length >= 18 && soft.length >= 30, 'keyword sections of Privet.g4 not found');
  // Reserved words are never names: highlighted wherever they stand.
  for (const word of reserved) {
    const tokens = await tokenize(`deny x ${word} y;`);
    const t = tokens.find((t) => t.text === word);
    assert.ok(t && keywordLike(innermost(t)), `reserved word ${word}: ${t && t.scopes.join(' ')}`);
  }
  // Soft keywords are highlighted in their keyword position: this fixture has each one there.
  const fixture = readFileSync(new URL('./fixtures/soft-keywords.privet', import.meta.url), 'utf8');
  const tokens = await tokenize(fixture);
  for (const word of soft) {
    assert.ok(
      tokens.some((t) => t.text === word && keywordLike(innermost(t))),
      `soft keyword ${word} is not highlighted in fixtures/soft-keywords.privet`,
    );
  }
  // ... and not where they are names.
  const names = await tokenize('allow tx.test, error about by for version;');
  for (const word of ['test', 'error', 'by', 'version'])
    assertScope(names, word, 'variable.other.privet');
});

function privetFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return privetFiles(path);
    return entry.name.endsWith('.privet') ? [path] : [];
  });
}

const corpus = [...privetFiles(join(repoRoot, 'stdlib')), ...privetFiles(join(repoRoot, 'examples'))];

test('the standard library and the examples are found', () => {
  assert.ok(corpus.some((f) => f.endsWith('gdpr.privet')));
  assert.ok(corpus.some((f) => f.endsWith('outpost24.privet')));
});

for (const file of corpus) {
  test(`tokenizes ${relative(repoRoot, file)}`, async () => {
    const { reserved } = keywordsOfG4();
    const text = readFileSync(file, 'utf8');
    const tokens = await tokenize(text);
    let annotations = 0;
    for (const t of tokens) {
      const where = `${relative(repoRoot, file)}:${t.line} ${JSON.stringify(t.text)} [${t.scopes.join(' ')}]`;
      assert.ok(!t.scopes.some((s) => s.startsWith('invalid')), `invalid scope at ${where}`);
      if (!t.text.trim()) continue;
      // Every token means something: none is left with only meta scopes (or none at all).
      assert.ok(t.scopes.some((s) => !s.startsWith('meta.')), `unscoped token at ${where}`);
      const inText = t.scopes.some((s) => s.startsWith('comment') || s.startsWith('string'));
      if (inText) continue;
      if (reserved.includes(t.text)) assert.ok(keywordLike(innermost(t)), `keyword not highlighted at ${where}`);
      if (/^[0-9]+$/.test(t.text)) assert.ok(innermost(t).startsWith('constant.numeric'), `number at ${where}`);
      if (t.text === '@') annotations++;
    }
    // Every `@name` outside comments and strings is an annotation.
    const code = text.replace(/"(?:[^"\\\n]|\\.)*"|\/\/.*|#.*|\/\*[\s\S]*?\*\//g, '');
    assert.equal(annotations, (code.match(/@/g) ?? []).length, 'annotations');
    // Every duration outside comments and strings is one token pair: number, unit.
    const durations = (code.match(/\b[0-9]+\s+(?:second|minute|hour|day|week|month|year)s?\b/g) ?? []).length;
    const units = tokens.filter((t) => innermost(t) === 'keyword.other.unit.privet').length;
    assert.equal(units, durations, 'durations');
  });
}
