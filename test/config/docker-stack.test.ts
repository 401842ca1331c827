import { access, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { engineNodeFlags } from '../../bench/engine-node-flags.js';
import { loadEngineConfig } from '../../config/load-engine-config.js';
import { EventStream } from '../../engine/events/event-stream.js';
import { EngineMetrics } from '../../engine/metrics/engine-metrics.js';
import { parsePrometheusText } from '../support/prometheus-text.js';

const dockerDir = new URL('../../docker/', import.meta.url);

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  network_mode?: string;
  volumes?: string[];
  depends_on?: string[];
}

async function compose(): Promise<{ services: Record<string, ComposeService> }> {
  return parse(await readFile(new URL('compose.yaml', dockerDir), 'utf8')) as { services: Record<string, ComposeService> };
}

describe('the docker/ stack', () => {
  it("the engine's configuration loads, with drachtio-server and FreeSWITCH as the compose file runs them", async () => {
    const config = await loadEngineConfig(fileURLToPath(new URL('dialtone.json', dockerDir)), {});
    const { services } = await compose();
    const drachtio = services.drachtio!.command!;
    expect(config.drachtio).toEqual({ host: '127.0.0.1', port: Number(drachtio[drachtio.indexOf('--port') + 1]), secret: 'cymru' });
    expect(config.media.driver).toBe('freeswitch');
    expect(config.media.freeswitch?.servers).toEqual([{ address: '127.0.0.1', port: 8021, secret: 'ClueCon' }]);
    // FreeSWITCH writes recordings where the engine reads them: the shared volume.
    const fsVolumes = services.freeswitch!.volumes!;
    const engineVolumes = services.dialtone!.volumes!;
    expect(fsVolumes).toContain(`recordings:${config.media.freeswitch?.recordingsDir}`);
    expect(engineVolumes).toContain(`recordings:${config.media.freeswitch?.recordingsEngineDir}`);
    expect(config.applications[0]!.voiceUrl).toBe('http://127.0.0.1:3000/voice');
  });

  it('runs two engines on the Redis service, each with its own id and ports, on the same drachtio-server and recordings', async () => {
    const { services } = await compose();
    const first = await loadEngineConfig(fileURLToPath(new URL('dialtone.json', dockerDir)), {});
    const mounted = services['dialtone-2']!.volumes!.find((v) => v.includes(':/config/dialtone.json'))!.split(':')[0]!;
    const second = await loadEngineConfig(fileURLToPath(new URL(mounted, dockerDir)), {});
    const redisPort = services.redis!.command![services.redis!.command!.indexOf('--port') + 1];
    for (const config of [first, second]) {
      expect(config.store.redis).toBe(`redis://127.0.0.1:${redisPort}/0`);
      expect(config.drachtio).toEqual(first.drachtio);
    }
    expect(services.redis!.command).toContain('--appendonly');
    expect(second.engineId).not.toBe(first.engineId);
    expect([second.api.port, second.http.port, second.media.freeswitch?.listenPort]).not.toEqual(
      expect.arrayContaining([first.api.port, first.http.port, first.media.freeswitch?.listenPort]),
    );
    expect(services['dialtone-2']!.volumes).toEqual(expect.arrayContaining(services.dialtone!.volumes!.filter((v) => !v.includes('/config/'))));
  });

  it('names the images the production shape needs, and every file it mounts or builds exists', async () => {
    const { services } = await compose();
    expect(services.drachtio!.image).toMatch(/^drachtio\/drachtio-server:/);
    expect(services.freeswitch!.image).toMatch(/^drachtio\/drachtio-freeswitch-mrf:/);
    expect(services.redis!.image).toMatch(/^redis:/);
    for (const [name, service] of Object.entries(services)) {
      expect(service.network_mode, name).toBe('host');
      if (service.build) await access(new URL(`${service.build.context}/${service.build.dockerfile}`, dockerDir));
      for (const volume of service.volumes ?? []) {
        const [source] = volume.split(':');
        if (source!.startsWith('.')) await access(new URL(source!, dockerDir));
      }
    }
    const smoke = await readFile(new URL('sipp-smoke.sh', dockerDir), 'utf8');
    const scenario = /\/scenarios\/([\w.-]+\.xml)/.exec(smoke)?.[1];
    expect(scenario).toBeDefined();
    await access(new URL(`../test/scenarios/${scenario}`, dockerDir));
  });
  it("Prometheus scrapes both engines' HTTP servers, and the Grafana dashboard charts metrics the engine exposes", async () => {
    const { services } = await compose();
    const prometheus = services.prometheus!;
    expect(prometheus.image).toMatch(/^prom\/prometheus:/);
    const mounted = prometheus.volumes!.find((v) => v.endsWith(':/etc/prometheus/prometheus.yml:ro'))!.split(':')[0]!;
    const scrape = parse(await readFile(new URL(mounted, dockerDir), 'utf8')) as {
      scrape_configs: { job_name: string; metrics_path?: string; static_configs: { targets: string[] }[] }[];
    };
    const job = scrape.scrape_configs.find((j) => j.job_name === 'dialtone')!;
    expect(job.metrics_path ?? '/metrics').toBe('/metrics');
    const engines = await Promise.all(['dialtone.json', 'dialtone-2.json'].map((f) => loadEngineConfig(fileURLToPath(new URL(f, dockerDir)), {})));
    expect(job.static_configs.flatMap((c) => c.targets).sort()).toEqual(engines.map((c) => `127.0.0.1:${c.http.port}`).sort());

    const grafana = services.grafana!;
    expect(grafana.image).toMatch(/^grafana\/grafana:/);
    const dashboards = grafana.volumes!.find((v) => v.endsWith(':/var/lib/grafana/dashboards:ro'))!.split(':')[0]!;
    const dashboard = JSON.parse(await readFile(new URL(`${dashboards}/dialtone.json`, dockerDir), 'utf8')) as {
      panels: { title: string; targets: { expr: string }[] }[];
    };
    const datasource = await readFile(new URL(grafana.volumes!.find((v) => v.includes('/provisioning/datasources/'))!.split(':')[0]!, dockerDir), 'utf8');
    expect(datasource).toContain('uid: dialtone-prometheus');
    // Every metric a panel charts is one the engine exposes (its own registry, scraped).
    const none = (): undefined => undefined;
    const metrics = new EngineMetrics(new EventStream(), { calls: () => new Map(), sip: none, endpoints: none, rtp: none, clock: none, registrar: none }, {});
    const exposed = parsePrometheusText((await metrics.scrape()).body).families;
    metrics.close();
    const titles = dashboard.panels.map((p) => p.title.toLowerCase()).join(' | ');
    for (const wanted of ['calls active', 'calls ended per second', 'set-up time p95', 'webhook latency p95', 'media clock lateness']) expect(titles).toContain(wanted);
    for (const panel of dashboard.panels) {
      for (const { expr } of panel.targets) {
        const names = [...expr.matchAll(/\bdialtone_[a-z0-9_]+/g)].map((m) => m[0].replace(/_(bucket|sum|count)$/, ''));
        expect(names.length, panel.title).toBeGreaterThan(0);
        for (const name of names) expect(exposed.has(name), `${panel.title}: ${name}`).toBe(true);
      }
    }
  });

  it("the image runs node with the flags of npm start (and the benchmarks, bench/engine-node-flags.ts)", async () => {
    const dockerfile = await readFile(new URL('Dockerfile', dockerDir), 'utf8');
    const entrypoint = JSON.parse(/^ENTRYPOINT (\[.*\])$/m.exec(dockerfile)?.[1] ?? '[]') as string[];
    expect(entrypoint[0]).toBe('node');
    const flags = entrypoint.filter((w) => w.startsWith('--'));
    expect(flags).toContain('--max-semi-space-size=32');
    expect(engineNodeFlags()).toEqual(flags);
  });
});
