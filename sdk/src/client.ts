import { Assets, Inspirations, PipelineProjects, PlatformAccounts, Tasks } from "./automation";
import { Webhooks, WorkerConfigs } from "./automation-config";
import { Generation } from "./generation";
import { type ClientOptions, Transport } from "./http";
import {
  Admin,
  Auth,
  Billing,
  Characters,
  Exports,
  Projects,
  Storyboards,
  Subscriptions,
  Workflows,
} from "./studio";

/**
 * The Short Drama Studio API from TypeScript or JavaScript, in Node ≥ 20 and browsers:
 * `new ShortDramaClient({ apiKey, baseUrl })`. Studio resources at the top level (as the documented
 * example), the automation API under `automation` (with `tasks`, `inspirations` and
 * `platformAccounts` also at the top level for workers).
 */
export class ShortDramaClient {
  readonly http: Transport;
  readonly auth: Auth;
  readonly projects: Projects;
  readonly characters: Characters;
  readonly storyboards: Storyboards;
  readonly workflows: Workflows;
  /** Providers, workflow quotes and storyboard takes. */
  readonly generation: Generation;
  readonly export: Exports;
  readonly exports: Exports;
  readonly subscriptions: Subscriptions;
  readonly billing: Billing;
  readonly admin: Admin;
  readonly automation: {
    projects: PipelineProjects;
    tasks: Tasks;
    assets: Assets;
    inspirations: Inspirations;
    platformAccounts: PlatformAccounts;
    workerConfigs: WorkerConfigs;
    webhooks: Webhooks;
  };
  readonly tasks: Tasks;
  readonly inspirations: Inspirations;
  readonly platformAccounts: PlatformAccounts;

  constructor(options: ClientOptions = {}) {
    this.http = new Transport(options);
    this.auth = new Auth(this.http);
    this.projects = new Projects(this.http);
    this.characters = new Characters(this.http);
    this.storyboards = new Storyboards(this.http);
    this.workflows = new Workflows(this.http);
    this.generation = new Generation(this.http);
    this.export = new Exports(this.http);
    this.exports = this.export;
    this.subscriptions = new Subscriptions(this.http);
    this.billing = new Billing(this.http);
    this.admin = new Admin(this.http);
    this.automation = {
      projects: new PipelineProjects(this.http),
      tasks: new Tasks(this.http),
      assets: new Assets(this.http),
      inspirations: new Inspirations(this.http),
      platformAccounts: new PlatformAccounts(this.http),
      workerConfigs: new WorkerConfigs(this.http),
      webhooks: new Webhooks(this.http),
    };
    this.tasks = this.automation.tasks;
    this.inspirations = this.automation.inspirations;
    this.platformAccounts = this.automation.platformAccounts;
  }

  /** `GET /health`. */
  health() {
    return this.http.request<{ status: string; version: string }>("GET", "/health");
  }
}
