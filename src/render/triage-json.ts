import type { Report, TriagedFile } from '../model/report.js';

/**
 * Writes the `triage --json` document as reports arrive, so its size never
 * has to fit in memory: `{"schemaVersion":1,"files":[{"path",…,"reports":[…],
 * "title","type","corrupted","knownHidden","diagnostics"}]}`. The verdict
 * fields follow the reports because they are known only at the end of a log.
 */
export class TriageJsonWriter {
  private files = 0;
  private reports = 0;
  private started = false;
  /** A file object is open (its reports array not yet closed). */
  private open = false;

  /** Nothing is written before the first input is open, so an unusable input leaves stdout empty. */
  constructor(private readonly write: (text: string) => void) {}

  private start(): void {
    if (!this.started) this.write('{"schemaVersion":1,"files":[');
    this.started = true;
  }

  file(path: string): void {
    this.start();
    this.write(`${this.files++ === 0 ? '\n' : ',\n'}{"path":${JSON.stringify(path)},"reports":[`);
    this.reports = 0;
    this.open = true;
  }

  report(report: Report): void {
    this.write(`${this.reports++ === 0 ? '\n' : ',\n'}${JSON.stringify(report)}`);
  }

  fileDone(file: TriagedFile): void {
    const { path: _path, ...rest } = file;
    this.write(`],${JSON.stringify(rest).slice(1, -1)}}`);
    this.open = false;
  }

  /** Closes the document around an error that stopped the run (a corrupt .gz mid-way). */
  fail(message: string): void {
    const error = JSON.stringify({ kind: 'input', message });
    if (!this.started) this.write(`{"error":${error}}\n`);
    else this.write(`${this.open ? `],"error":${error}}` : ''}\n],"error":${error}}\n`);
    this.started = true;
    this.open = false;
  }

  end(): void {
    this.start();
    this.write('\n]}\n');
  }
}
