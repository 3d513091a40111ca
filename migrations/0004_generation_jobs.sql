CREATE TABLE `generation_jobs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`owner_id` integer NOT NULL,
	`workflow_id` integer,
	`task_id` integer NOT NULL,
	`attempt` integer NOT NULL,
	`take` integer DEFAULT 0 NOT NULL,
	`kind` text NOT NULL,
	`subject` text NOT NULL,
	`platform` text NOT NULL,
	`model` text NOT NULL,
	`platform_account_id` integer,
	`request_hash` text NOT NULL,
	`provider_job_id` text,
	`state` text NOT NULL,
	`money` text DEFAULT 'none' NOT NULL,
	`quoted_cost` integer NOT NULL,
	`settled_cost` integer,
	`from_reservation` integer DEFAULT false NOT NULL,
	`result` text,
	`error` text,
	`error_code` text,
	`poll_at` integer,
	`polls` integer DEFAULT 0 NOT NULL,
	`submitted_at` integer,
	`finished_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `generation_jobs_task_attempt_unique` ON `generation_jobs` (`task_id`,`take`,`attempt`);--> statement-breakpoint
CREATE INDEX `generation_jobs_owner_idx` ON `generation_jobs` (`owner_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `generation_jobs_workflow_idx` ON `generation_jobs` (`workflow_id`);--> statement-breakpoint
CREATE TABLE `takes` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`owner_id` integer NOT NULL,
	`subject_kind` text NOT NULL,
	`subject_id` integer NOT NULL,
	`media` text NOT NULL,
	`generation_job_id` integer,
	`position` integer NOT NULL,
	`r2_key` text NOT NULL,
	`content_type` text NOT NULL,
	`width` integer,
	`height` integer,
	`bytes` integer,
	`score` real,
	`platform` text NOT NULL,
	`model` text NOT NULL,
	`selected` integer DEFAULT false NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `takes_subject_idx` ON `takes` (`owner_id`,`subject_kind`,`subject_id`,`created_at`);--> statement-breakpoint
CREATE UNIQUE INDEX `takes_job_position_unique` ON `takes` (`generation_job_id`,`position`) WHERE "takes"."generation_job_id" IS NOT NULL;--> statement-breakpoint
ALTER TABLE `credit_ledger` ADD `workflow_id` integer;--> statement-breakpoint
ALTER TABLE `credit_ledger` ADD `generation_job_id` integer;--> statement-breakpoint
CREATE UNIQUE INDEX `credit_ledger_workflow_kind_unique` ON `credit_ledger` (`workflow_id`,`kind`) WHERE "credit_ledger"."workflow_id" IS NOT NULL AND "credit_ledger"."generation_job_id" IS NULL;--> statement-breakpoint
CREATE UNIQUE INDEX `credit_ledger_generation_kind_unique` ON `credit_ledger` (`generation_job_id`,`kind`) WHERE "credit_ledger"."generation_job_id" IS NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX `credit_ledger_generation_settlement_unique` ON `credit_ledger` (`generation_job_id`) WHERE "credit_ledger"."generation_job_id" IS NOT NULL AND "credit_ledger"."kind" IN ('commit', 'refund');--> statement-breakpoint
ALTER TABLE `workflows` ADD `providers` text;--> statement-breakpoint
ALTER TABLE `workflows` ADD `quote` text;--> statement-breakpoint
ALTER TABLE `workflows` ADD `credits_reserved` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `workflows` ADD `credits_charged` integer DEFAULT 0 NOT NULL;