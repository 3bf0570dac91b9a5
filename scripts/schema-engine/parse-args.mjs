// Command-line arguments as the Prisma CLI passes them to a schema engine binary:
//   --version
//   [--datasource <json>] cli can-connect-to-database|create-database      (one-shot)
//   [--datamodels <file>]... [--datasource <json>] [--enabled-preview-features a,b]
//   [--extension-types <json>]                                              (JSON-RPC on stdio)

/**
 * @typedef {object} EngineArgs
 * @property {boolean} version
 * @property {string[]} datamodels schema file paths
 * @property {{ url?: string, shadowDatabaseUrl?: string } | undefined} datasource
 * @property {string | undefined} cliCommand the one-shot command after `cli`, if any
 */

/**
 * @param {string[]} argv arguments after the program name
 * @returns {EngineArgs}
 */
export function parseArgs(argv) {
  /** @type {EngineArgs} */
  const args = { version: false, datamodels: [], datasource: undefined, cliCommand: undefined };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const next = argv[++i];
      if (next === undefined) throw new Error(`Missing value after ${arg}`);
      return next;
    };
    switch (arg) {
      case '--version':
      case '-V':
        args.version = true;
        break;
      case '--datamodels':
        args.datamodels.push(value());
        break;
      case '--datasource':
        args.datasource = JSON.parse(value());
        break;
      // Accepted for compatibility; the WebAssembly engine takes neither.
      case '--enabled-preview-features':
      case '--extension-types':
        value();
        break;
      case 'cli': {
        const command = argv[++i];
        if (command === undefined) throw new Error('Missing command after cli');
        args.cliCommand = command;
        break;
      }
      default:
        throw new Error(`Unknown argument: ${arg}`);
    }
  }
  return args;
}
