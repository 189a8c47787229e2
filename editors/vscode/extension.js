// VS Code client for the nasdsl language server (`nasdsl lsp`, pygls over stdio).
'use strict';
const vscode = require('vscode');
const { LanguageClient } = require('vscode-languageclient/node');

let client;

/** The command that starts the server, from the settings. */
function serverCommand() {
  const config = vscode.workspace.getConfiguration('nasdsl.server');
  const command = config.get('command') || [];
  if (Array.isArray(command) && command.length > 0) {
    return { command: command[0], args: command.slice(1) };
  }
  const python = config.get('pythonPath') || '';
  if (python) {
    return { command: python, args: ['-m', 'nasdsl.lsp'] };
  }
  return { command: 'nasdsl', args: ['lsp'] };
}

async function start(context) {
  if (!vscode.workspace.getConfiguration('nasdsl.server').get('enabled', true)) {
    return;
  }
  const { command, args } = serverCommand();
  const serverOptions = { command, args, options: { env: process.env } };
  const clientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'nas' },
      { scheme: 'untitled', language: 'nas' },
    ],
    outputChannelName: 'nasdsl',
  };
  client = new LanguageClient('nasdsl', 'nasdsl language server', serverOptions, clientOptions);
  try {
    await client.start();
  } catch (err) {
    client = undefined;
    vscode.window.showErrorMessage(
      `nasdsl: could not start the language server (${command} ${args.join(' ')}): ${err}. ` +
      'Install nasdsl with the lsp extra (pip install "nasdsl[lsp]") or set nasdsl.server.command.'
    );
  }
}

async function stop() {
  if (client) {
    const running = client;
    client = undefined;
    await running.stop();
  }
}

/** Called by VS Code when a .nas file is opened. */
async function activate(context) {
  context.subscriptions.push(
    vscode.commands.registerCommand('nasdsl.restartServer', async () => {
      await stop();
      await start(context);
    }),
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (event.affectsConfiguration('nasdsl.server')) {
        await stop();
        await start(context);
      }
    })
  );
  await start(context);
}

/** Called by VS Code on shutdown. */
function deactivate() {
  return stop();
}

module.exports = { activate, deactivate };
