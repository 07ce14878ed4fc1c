import { runConformance } from '@hearth/conformance';
import plugin from '@hearth/plugin-native';
const r = await runConformance({ plugin });
console.log(r.counts, r.verdict);
for (const c of r.results) if (c.status !== 'pass') console.log(c.id, c.status, JSON.stringify(c.detail ?? c.why ?? c.message ?? c).slice(0, 400));
