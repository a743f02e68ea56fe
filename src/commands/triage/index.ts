import { Args, Flags } from '@oclif/core';
import { groupBySignature, type SignatureGroup } from '../../analyzers/triage/group.js';
import { LockscopeCommand } from '../../cli/base-command.js';
import { groupsMarkdown, reportMarkdown } from '../../render/triage-markdown.js';
import { groupsText, reportText } from '../../render/triage-text.js';
import { type TriagedFile, triageInputs } from '../../services/triage.js';

export type TriageJson =
  | { schemaVersion: 1; files: TriagedFile[] }
  | { schemaVersion: 1; groups: SignatureGroup[] };

export default class Triage extends LockscopeCommand {
  static override args = {
    file: Args.string({ description: 'console log, directory of logs, .gz, or - for stdin' }),
  };
  static override description =
    'Find every lock report in console logs (dmesg, serial consoles, CI mails, quoted replies), ' +
    'extract the chain, held locks and stacks, title them as syzkaller does and deduplicate them.';
  static override enableJsonFlag = true;
  static override examples = [
    '<%= config.bin %> triage fixtures/console/lab-6.1/shrinker/dmesg.txt',
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

  async run(): Promise<TriageJson> {
    const { argv, flags } = await this.parse(Triage);
    const streaming = !this.jsonEnabled() && !flags.group;
    const render = flags.format === 'markdown' ? reportMarkdown : reportText;
    let printed = 0;
    const files = await triageInputs(argv as string[], {
      known: flags.known ?? null,
      onReport: streaming
        ? (report, path) => {
            this.out(`${printed++ === 0 ? '' : '\n'}${render(report, path)}`);
          }
        : undefined,
    });
    for (const f of files) this.warnDiagnostics(f.path, f.diagnostics, flags.verbose);
    if (flags.group) {
      const groups = groupBySignature(files);
      if (!this.jsonEnabled())
        this.out(flags.format === 'markdown' ? groupsMarkdown(groups) : groupsText(groups));
      return { schemaVersion: 1, groups };
    }
    if (streaming && printed === 0) this.out('no lock reports');
    return { schemaVersion: 1, files };
  }
}
