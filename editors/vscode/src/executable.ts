// Finds the `privet` executable the extension starts; kept free of the vscode API so node can test it.
import * as fs from 'fs';
import * as path from 'path';

function isExecutableFile(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/**
 * Resolves the configured executable the way the shell would: a path containing a separator is
 * taken as it is (relative to the first workspace folder), a bare name is looked up on PATH.
 * Returns undefined when nothing executable is found, so the user gets a clear message instead
 * of the client's generic "couldn't start" error.
 */
export function resolveExecutable(
  executable: string,
  env: NodeJS.ProcessEnv,
  baseDir: string | undefined,
): string | undefined {
  if (executable.includes('/') || executable.includes('\\')) {
    const absolute = path.isAbsolute(executable)
      ? executable
      : path.resolve(baseDir ?? process.cwd(), executable);
    return isExecutableFile(absolute) ? absolute : undefined;
  }
  const extensions =
    process.platform === 'win32' ? (env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';') : [''];
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    for (const ext of extensions) {
      const candidate = path.join(dir, executable + ext);
      if (isExecutableFile(candidate)) return candidate;
    }
  }
  return undefined;
}
