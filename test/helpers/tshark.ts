import { spawnSync } from 'node:child_process';

/** Is tshark (the independent reference decoder) installed? Comparisons with it are skipped when it is not. */
export const haveTshark = spawnSync('tshark', ['-v'], { stdio: 'ignore' }).status === 0;
