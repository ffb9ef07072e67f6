/**
 * DynamoDB Local (the real jar, Java 17+) as a child process. The jar ships inside the npm package
 * `amplify-dynamodb-simulator`; we only `npm pack` it and extract the emulator folder, because
 * installing that package drags in a second aws-cdk-lib and an old TypeScript.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rename, rm, stat } from 'node:fs/promises';
import { connect } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';

const execFileAsync = promisify(execFile);

const SIMULATOR_PACKAGE = 'amplify-dynamodb-simulator@2.9.30';
const MIN_JAVA_MAJOR = 17;
// Generous: on a loaded machine (several test runs on 2 cores) the JVM alone can take over 30 s to answer.
const START_TIMEOUT_MS = 120_000;
const STOP_GRACE_MS = 5_000;
const STALE_TEMP_MS = 60 * 60 * 1000;
const JAVA_HINT = `Java ${MIN_JAVA_MAJOR}+ is required for DynamoDB Local: sudo apt-get install -y openjdk-17-jre-headless`;

export interface DynamoDbLocal {
  readonly endpoint: string;
  stop(): Promise<void>;
}

function isInstalled(dir: string): boolean {
  return existsSync(path.join(dir, 'DynamoDBLocal.jar')) && existsSync(path.join(dir, 'DynamoDBLocal_lib'));
}

/** Temp dirs left by an interrupted download; old ones only, a concurrent run may own a young one. */
async function removeStaleTempDirs(cacheDir: string): Promise<void> {
  const entries = await readdir(cacheDir).catch(() => [] as string[]);
  await Promise.all(
    entries
      .filter((name) => name.startsWith('.dynamodb-local-'))
      .map(async (name) => {
        const full = path.join(cacheDir, name);
        const info = await stat(full).catch(() => undefined);
        if (info && Date.now() - info.mtimeMs > STALE_TEMP_MS)
          await rm(full, { recursive: true, force: true });
      }),
  );
}

/** Returns the folder holding DynamoDBLocal.jar and DynamoDBLocal_lib, downloading it once. */
export async function ensureDynamoDbLocal(cacheDir: string): Promise<string> {
  const target = path.join(path.resolve(cacheDir), 'dynamodb-local');
  if (isInstalled(target)) return target;

  await mkdir(cacheDir, { recursive: true });
  await removeStaleTempDirs(cacheDir);
  // Same parent as the target so the final rename is atomic: an interrupted run leaves no half cache.
  const work = await mkdtemp(path.join(path.resolve(cacheDir), '.dynamodb-local-'));
  try {
    process.stderr.write(`Téléchargement de DynamoDB Local (${SIMULATOR_PACKAGE}, ~57 Mo) depuis npm…\n`);
    const { stdout } = await execFileAsync(
      'npm',
      ['pack', SIMULATOR_PACKAGE, '--pack-destination', work, '--silent', '--ignore-scripts'],
      { maxBuffer: 16 * 1024 * 1024 },
    );
    const tarball = stdout.trim().split('\n').pop()?.trim();
    if (!tarball) throw new Error(`npm pack ${SIMULATOR_PACKAGE} printed no tarball name`);
    await execFileAsync('tar', ['-xzf', path.join(work, tarball), '-C', work, 'package/emulator']);
    const extracted = path.join(work, 'package', 'emulator');
    if (!isInstalled(extracted))
      throw new Error(`${SIMULATOR_PACKAGE} has no DynamoDBLocal.jar in package/emulator`);
    try {
      await rename(extracted, target);
    } catch (error) {
      // Another process finished the same download first: its copy is as good as ours.
      if (!isInstalled(target)) throw error;
    }
    return target;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Major version from `java -version` output: `openjdk version "17.0.15"` or legacy `"1.8.0_292"`. */
function parseJavaMajor(versionOutput: string): number | undefined {
  const match = /version "(\d+)(?:\.(\d+))?/.exec(versionOutput);
  if (!match) return undefined;
  const first = Number(match[1]);
  return first === 1 ? Number(match[2]) : first;
}

async function assertJava(): Promise<void> {
  let output: string;
  try {
    const { stdout, stderr } = await execFileAsync('java', ['-version']);
    output = `${stderr}${stdout}`;
  } catch {
    throw new Error(JAVA_HINT);
  }
  const major = parseJavaMajor(output);
  if (major === undefined || major < MIN_JAVA_MAJOR)
    throw new Error(`${JAVA_HINT} (found: ${output.split('\n')[0]})`);
}

function somethingListensOn(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function waitForExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Starts DynamoDB Local with `-sharedDb`, in memory unless `dbPath` is given, and waits until it answers. */
export async function startDynamoDbLocal(opts: {
  port: number;
  cacheDir: string;
  dbPath?: string;
}): Promise<DynamoDbLocal> {
  await assertJava();
  const emulatorDir = await ensureDynamoDbLocal(opts.cacheDir);
  // Polling would happily succeed against whatever already holds the port.
  if (await somethingListensOn(opts.port)) {
    throw new Error(`DynamoDB Local cannot start: port ${opts.port} is already in use`);
  }

  // -sharedDb: otherwise each fake access key + region pair sees its own empty database.
  const args = ['-Djava.library.path=./DynamoDBLocal_lib', '-jar', 'DynamoDBLocal.jar', '-sharedDb'];
  args.push('-port', String(opts.port));
  if (opts.dbPath) {
    const dbPath = path.resolve(opts.dbPath); // the child runs in the emulator folder
    await mkdir(dbPath, { recursive: true });
    args.push('-dbPath', dbPath);
  } else {
    args.push('-inMemory');
  }

  const child = spawn('java', args, { cwd: emulatorDir, stdio: ['ignore', 'pipe', 'pipe'] });
  let outputTail = '';
  const keepTail = (chunk: Buffer) => {
    outputTail = (outputTail + chunk.toString()).slice(-2000);
  };
  // Always drain the pipes: a full pipe buffer would block the JVM.
  child.stdout?.on('data', keepTail);
  child.stderr?.on('data', keepTail);
  let spawnError: Error | undefined;
  child.once('error', (error) => {
    spawnError = error;
  });
  // 'exit' handlers must be synchronous; this is the last chance not to orphan a 400 MB JVM.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const stop = async (): Promise<void> => {
    process.removeListener('exit', killOnExit);
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = waitForExit(child);
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    await exited;
    clearTimeout(timer);
  };

  const endpoint = `http://127.0.0.1:${opts.port}`;
  const probe = new DynamoDBClient({
    endpoint,
    region: 'eu-west-3',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
    requestHandler: { requestTimeout: 1_000, throwOnRequestTimeout: true, connectionTimeout: 1_000 },
  });
  const deadline = Date.now() + START_TIMEOUT_MS;
  try {
    for (;;) {
      if (spawnError) throw new Error(`DynamoDB Local could not be started: ${spawnError.message}`);
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(
          `DynamoDB Local exited during startup (code ${child.exitCode ?? child.signalCode}):\n${outputTail.trim()}`,
        );
      }
      try {
        await probe.send(new ListTablesCommand({ Limit: 1 }));
        return { endpoint, stop };
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        throw new Error(
          `DynamoDB Local did not answer on ${endpoint} within ${START_TIMEOUT_MS / 1000} s:\n${outputTail.trim()}`,
        );
      }
      await sleep(100);
    }
  } catch (error) {
    await stop();
    throw error;
  } finally {
    probe.destroy();
  }
}
