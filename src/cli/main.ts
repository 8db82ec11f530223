import { readFileSync } from 'node:fs';
import { analyzeCommand, analyzeUsage } from './analyze.js';
import { UsageError } from './args.js';
import { callsCommand, callsUsage, statsCommand } from './calls.js';
import { captureCommand, captureUsage } from './capture.js';
import { desktopCommand, desktopTrace, isFile } from './desktop.js';
import { explainCommand, explainUsage } from './explain.js';
import { exportCommand, exportUsage } from './export.js';
import { fieldsCommand, fieldsUsage } from './fields.js';
import { interfacesCommand, interfacesUsage } from './interfaces.js';
import { serveCommand, serveUsage } from './serve.js';

const usage = `Usage: sipscope <command> [options]
       sipscope FILE   open a pcap/pcapng capture in the desktop app (a window per trace)

Commands:
  analyze FILE   list every SIP message in a pcap/pcapng capture (see 'sipscope analyze --help')
  calls FILE     one row per call: procedures, state, KPIs, findings
  stats FILE     the trace's KPIs: ASR, NER, post-dial delay, registration success...
  export FILE    calls with their notes as pcapng, pcap, HTML, SVG, PNG, Markdown, JSON or CSV
  fields         the display-filter fields (for --filter)
  serve [FILE]   the app's window in a web browser, for headless servers (see 'sipscope serve --help')
  interfaces     the network interfaces live capture can use
  capture        capture live (an interface, a HEP feed) and print SIP messages as they arrive
  explain TERM   what a method, response code, header, option tag or SDP attribute means (RFC/3GPP)
  help           show this help
  version        print the version

${analyzeUsage}

${callsUsage}

${exportUsage}

${fieldsUsage}

${serveUsage}

${interfacesUsage}

${captureUsage}

${explainUsage}`;

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** Runs the CLI; returns the exit code (0 ok, 1 unreadable input, 2 bad usage). */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'analyze':
        return await analyzeCommand(rest);
      case 'calls':
        return await callsCommand(rest);
      case 'stats':
        return await statsCommand(rest);
      case 'export':
        return await exportCommand(rest);
      case 'explain':
        return await explainCommand(rest);
      case 'fields':
        return await fieldsCommand(rest);
      case 'serve':
        return await serveCommand(rest);
      case 'interfaces':
        return await interfacesCommand(rest);
      case 'capture':
        return await captureCommand(rest);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(`${usage}\n`);
        return command === undefined ? 2 : 0;
      case 'version':
      case '--version':
      case '-V':
        process.stdout.write(`sipscope ${version()}\n`);
        return 0;
      default: {
        // Not a command: a capture file opens in the desktop app (`sipscope FILE`).
        const trace = desktopTrace(command, rest, process.cwd(), isFile);
        if (trace !== null) return await desktopCommand(trace);
        throw new UsageError(`unknown command '${command}' (and no such file)`);
      }
    }
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`sipscope: ${error.message}\nRun 'sipscope help' for usage.\n`);
      return 2;
    }
    throw error;
  }
}
