// The Privet extension: starts the language server `privet lsp` over stdio and restarts it on demand.
import * as vscode from 'vscode';
import {
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  State,
  TransportKind,
} from 'vscode-languageclient/node';
import { resolveExecutable } from './executable';

const clientId = 'privet';
const clientName = 'Privet Language Server';

let client: LanguageClient | undefined;
let output: vscode.OutputChannel | undefined;

/** The settings that decide how the server is started. */
interface ServerSettings {
  executable: string;
  stdlibPath: string;
}

function readSettings(): ServerSettings {
  const config = vscode.workspace.getConfiguration('privet');
  return {
    executable: config.get<string>('path', 'privet').trim() || 'privet',
    stdlibPath: config.get<string>('stdlibPath', '').trim(),
  };
}

async function reportMissingExecutable(executable: string): Promise<void> {
  const openSettings = 'Open Settings';
  const choice = await vscode.window.showErrorMessage(
    `Privet: the language server could not start because \`${executable}\` was not found. ` +
      'Install Privet and put `privet` on PATH, or set `privet.path` to the executable.',
    openSettings,
  );
  if (choice === openSettings) {
    await vscode.commands.executeCommand('workbench.action.openSettings', 'privet.path');
  }
}

async function startClient(): Promise<void> {
  const settings = readSettings();
  const baseDir = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const command = resolveExecutable(settings.executable, process.env, baseDir);
  if (!command) {
    await reportMissingExecutable(settings.executable);
    return;
  }

  const env: NodeJS.ProcessEnv = { ...process.env };
  if (settings.stdlibPath) env.PRIVET_STDLIB_PATH = settings.stdlibPath;
  const run = { command, args: ['lsp'], transport: TransportKind.stdio, options: { env } };
  const serverOptions: ServerOptions = { run, debug: run };

  output ??= vscode.window.createOutputChannel(clientName);
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'privet' },
      { scheme: 'untitled', language: 'privet' },
    ],
    outputChannel: output,
    synchronize: {
      // Imported modules are other .privet files: the server hears when they change on disk.
      fileEvents: vscode.workspace.createFileSystemWatcher('**/*.privet'),
    },
  };

  // `privet.trace.server` is read by the client itself, from the section named by its id.
  client = new LanguageClient(clientId, clientName, serverOptions, clientOptions);
  try {
    await client.start();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    void vscode.window.showErrorMessage(
      `Privet: \`${command} lsp\` did not start: ${message}. See the "${clientName}" output.`,
    );
  }
}

async function stopClient(): Promise<void> {
  const running = client;
  client = undefined;
  if (running && running.state !== State.Stopped) await running.stop();
}

async function restartClient(): Promise<void> {
  await stopClient();
  await startClient();
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  context.subscriptions.push(
    vscode.commands.registerCommand('privet.restartServer', restartClient),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('privet.path') || event.affectsConfiguration('privet.stdlibPath'))
        void restartClient();
    }),
    { dispose: () => void stopClient() },
  );
  await startClient();
}

export function deactivate(): Thenable<void> | undefined {
  return stopClient();
}
