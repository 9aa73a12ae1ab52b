// Loads the Privet TextMate grammar with vscode-textmate and vscode-oniguruma, as VS Code does.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const textmate = require('vscode-textmate');
const oniguruma = require('vscode-oniguruma');

export const extensionDir = join(dirname(fileURLToPath(import.meta.url)), '..');
export const repoRoot = join(extensionDir, '..', '..');

let grammarPromise;

/** The grammar, loaded once per process. */
export function loadGrammar() {
  grammarPromise ??= (async () => {
    const wasm = readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
    await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
    const registry = new textmate.Registry({
      onigLib: Promise.resolve({
        createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
        createOnigString: (s) => new oniguruma.OnigString(s),
      }),
      loadGrammar: async (scopeName) => {
        if (scopeName !== 'source.privet') return null;
        const path = join(extensionDir, 'syntaxes', 'privet.tmLanguage.json');
        return textmate.parseRawGrammar(readFileSync(path, 'utf8'), path);
      },
    });
    return registry.loadGrammar('source.privet');
  })();
  return grammarPromise;
}

/**
 * Tokenizes a whole text. Returns one entry per token: its line (1-based), text and scopes
 * (outermost first, without the root `source.privet`).
 */
export async function tokenize(text) {
  const grammar = await loadGrammar();
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const tokens = [];
  let state = textmate.INITIAL;
  lines.forEach((line, index) => {
    const result = grammar.tokenizeLine(line, state);
    for (const t of result.tokens) {
      tokens.push({
        line: index + 1,
        text: line.substring(t.startIndex, t.endIndex),
        scopes: t.scopes.slice(1),
      });
    }
    state = result.ruleStack;
  });
  return tokens;
}
