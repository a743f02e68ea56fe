import { type SignatureGroup, SignatureGrouper } from '../../analyzers/triage/group.js';
import { LockscopeCommand } from '../../cli/base-command.js';
import { Args, Flags } from '../../cli/oclif.js';
import { InputError } from '../../ingest/input.js';
import { TriageJsonWriter } from '../../render/triage-json.js';
import { groupsMarkdown, reportMarkdown } from '../../render/triage-markdown.js';
import { groupsText, reportText } from '../../render/triage-text.js';
import { triageInputs } from '../../services/triage.js';
import { counted } from '../../util/plural.js';

export default class Triage extends LockscopeCommand {
  static override args = {
    file: Args.string({
      ignoreStdin: true,
      description: 'console log, directory of logs, .gz, or - for stdin',
    }),
  };
  static override description =
    'Find every lock report in console logs (dmesg, serial consoles, CI mails, quoted replies), ' +
    'extract the chain, held locks and stacks, title them as syzkaller does and deduplicate them. ' +
    'Reports are printed as soon as they are complete; --json streams one document.';
  static override enableJsonFlag = true;
  static override examples = [
    '<%= config.bin %> triage fixtures/runs/v5/dmesg.txt',
    '<%= config.bin %> triage --group fixtures/console/lab-6.1',
    'dmesg | <%= config.bin %> triage --json',
  ];
  static override flags = {
    format: Flags.string({
      default: 'text',
      description: 'human output format',
      options: ['text', 'markdown'],
    }),
    group: Flags.boolean({ description: 'fold identical signatures across files, with counts' }),
    known: Flags.string({ description: 'file of known signatures (one per line, # comments) to hide' }),
    verbose: Flags.boolean({ char: 'v', description: 'also list input passed over on purpose (boot noise)' }),
  };
  static override strict = false;
  static override summary = 'Find, structure, title and deduplicate lock reports in console logs';

  /** Returns the `--group` document; the per-file document is streamed as it is built. */
  async run(): Promise<{ schemaVersion: 1; groups: SignatureGroup[] } | undefined> {
    const { argv, flags } = await this.parse(Triage);
    const json = this.jsonEnabled();
    const grouper = new SignatureGrouper();
    const writer = json && !flags.group ? new TriageJsonWriter((s) => process.stdout.write(s)) : null;
    const render = flags.format === 'markdown' ? reportMarkdown : reportText;
    let printed = 0;
    let usable = 0;
    let hidden = 0;
    const run = triageInputs(argv as string[], {
      known: flags.known ?? null,
      warn: this.diagnosticsSink,
      onFile: (path) => writer?.file(path),
      onReport: (report, path) => {
        if (flags.group) grouper.add(report, path);
        else if (writer) writer.report(report);
        else this.out(`${printed++ === 0 ? '' : '\n'}${render(report, path)}`);
      },
      onFileDone: (file) => {
        if (file.usable) usable++;
        hidden += file.knownHidden;
        writer?.fileDone(file);
        this.warnDiagnostics(file.path, file.diagnostics, flags.verbose);
      },
    });
    await run.catch((error: unknown) => {
      if (writer !== null && error instanceof InputError) {
        writer.fail(error.message);
        error.inDocument = true;
      }
      throw error;
    });
    writer?.end();
    // Unusable input (exit 2) only when no input at all was a console log: one bad file in a batch is a diagnostic.
    if (usable === 0) process.exitCode = 2;
    const hiddenNote = `(${counted(hidden, 'known report')} hidden by --known)`;
    if (flags.group) {
      const groups = grouper.groups();
      if (!json && usable > 0)
        this.out(flags.format === 'markdown' ? groupsMarkdown(groups) : groupsText(groups));
      if (!json && hidden > 0) this.out(hiddenNote);
      return { schemaVersion: 1, groups };
    }
    // (an input that is no console log was said so on stderr: 'no lock reports' would read as clean)
    if (!json && printed === 0 && usable > 0) this.out('no lock reports');
    if (!json && hidden > 0) this.out(hiddenNote);
    return undefined;
  }
}
