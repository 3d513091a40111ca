CREATE TABLE `assets` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`owner_id` integer NOT NULL,
	`name` text NOT NULL,
	`description` text,
	`asset_type` text NOT NULL,
	`storage_path` text,
	`r2_key` text,
	`content_type` text,
	`size_bytes` integer,
	`asset_metadata` text,
	`duration_seconds` real,
	`source` text,
	`visibility` text DEFAULT 'private' NOT NULL,
	`status` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`deleted_at` integer
);
--> statement-breakpoint
CREATE INDEX `assets_owner_idx` ON `assets` (`owner_id`,`deleted_at`,`id`);--> statement-breakpoint
CREATE INDEX `assets_owner_type_idx` ON `assets` (`owner_id`,`deleted_at`,`asset_type`,`status`);--> statement-breakpoint
CREATE INDEX `assets_owner_status_idx` ON `assets` (`owner_id`,`deleted_at`,`status`);--> statement-breakpoint
CREATE TABLE `batch_guards` (
	`name` text NOT NULL,
	`ok` integer NOT NULL,
	CONSTRAINT "batch_guard_changed" CHECK("batch_guards"."ok" = 1)
);
--> statement-breakpoint
CREATE TABLE `inspirations` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`owner_id` integer NOT NULL,
	`title` text NOT NULL,
	`description` text,
	`project_type_code` text,
	`source` text,
	`parameters` text,
	`status` text NOT NULL,
	`score` real,
	`score_details` text,
	`review_notes` text,
	`last_execution_id` text,
	`last_error` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`deleted_at` integer
);
--> statement-breakpoint
CREATE INDEX `inspirations_owner_idx` ON `inspirations` (`owner_id`,`deleted_at`,`id`);--> statement-breakpoint
CREATE INDEX `inspirations_owner_status_idx` ON `inspirations` (`owner_id`,`deleted_at`,`status`);--> statement-breakpoint
CREATE TABLE `outbox` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`owner_id` integer,
	`kind` text NOT NULL,
	`dedupe_key` text NOT NULL,
	`payload` text NOT NULL,
	`status` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer,
	`target_url` text,
	`last_error` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`delivered_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `outbox_dedupe_key_unique` ON `outbox` (`dedupe_key`);--> statement-breakpoint
CREATE INDEX `outbox_status_idx` ON `outbox` (`status`,`next_attempt_at`);--> statement-breakpoint
CREATE TABLE `pipeline_projects` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`owner_id` integer NOT NULL,
	`name` text NOT NULL,
	`project_type` text NOT NULL,
	`status` text NOT NULL,
	`initial_parameters` text,
	`inspiration_id` integer,
	`score` real,
	`score_details` text,
	`review_notes` text,
	`used_transform_workflow_id` text,
	`used_execution_workflow_id` text,
	`total_tasks` integer DEFAULT 0 NOT NULL,
	`completed_tasks` integer DEFAULT 0 NOT NULL,
	`failed_tasks` integer DEFAULT 0 NOT NULL,
	`output_asset_id` integer,
	`studio_workflow_id` integer,
	`create_ref` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`deleted_at` integer
);
--> statement-breakpoint
CREATE INDEX `pipeline_projects_owner_idx` ON `pipeline_projects` (`owner_id`,`deleted_at`,`id`);--> statement-breakpoint
CREATE INDEX `pipeline_projects_inspiration_idx` ON `pipeline_projects` (`inspiration_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `pipeline_projects_create_ref_unique` ON `pipeline_projects` (`create_ref`);--> statement-breakpoint
CREATE TABLE `platform_accounts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`owner_id` integer NOT NULL,
	`platform` text NOT NULL,
	`name` text NOT NULL,
	`credentials_ciphertext` text NOT NULL,
	`credentials_iv` text NOT NULL,
	`credentials_key_version` text NOT NULL,
	`credentials_masked` text NOT NULL,
	`status` text NOT NULL,
	`daily_limit` integer NOT NULL,
	`last_used_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`deleted_at` integer
);
--> statement-breakpoint
CREATE INDEX `platform_accounts_owner_idx` ON `platform_accounts` (`owner_id`,`deleted_at`,`platform`,`status`);--> statement-breakpoint
CREATE TABLE `task_config_assignments` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`owner_id` integer NOT NULL,
	`task_id` integer NOT NULL,
	`config_id` integer NOT NULL,
	`override_data` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `task_config_assignments_unique` ON `task_config_assignments` (`task_id`,`config_id`);--> statement-breakpoint
CREATE TABLE `task_dependencies` (
	`task_id` integer NOT NULL,
	`depends_on_id` integer NOT NULL,
	PRIMARY KEY(`task_id`, `depends_on_id`)
);
--> statement-breakpoint
CREATE INDEX `task_dependencies_reverse_idx` ON `task_dependencies` (`depends_on_id`);--> statement-breakpoint
CREATE TABLE `tasks` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`owner_id` integer NOT NULL,
	`project_id` integer NOT NULL,
	`task_type` text NOT NULL,
	`status` text NOT NULL,
	`priority` integer DEFAULT 0 NOT NULL,
	`dependencies` text NOT NULL,
	`task_output` text,
	`platform_account_id` integer,
	`commit_id` text,
	`error_message` text,
	`lease_token` text,
	`lease_expires_at` integer,
	`worker_id` text,
	`attempts` integer DEFAULT 0 NOT NULL,
	`workflow_id` integer,
	`step` text,
	`parent_task_id` integer,
	`item_ref` text,
	`create_ref` text,
	`started_at` integer,
	`completed_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`deleted_at` integer,
	FOREIGN KEY (`project_id`) REFERENCES `pipeline_projects`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `tasks_commit_unique` ON `tasks` (`owner_id`,`commit_id`) WHERE "tasks"."commit_id" IS NOT NULL;--> statement-breakpoint
CREATE INDEX `tasks_claim_idx` ON `tasks` (`owner_id`,`status`,"priority" DESC,`id`,`task_type`);--> statement-breakpoint
CREATE INDEX `tasks_lease_idx` ON `tasks` (`status`,`lease_expires_at`);--> statement-breakpoint
CREATE INDEX `tasks_project_idx` ON `tasks` (`project_id`,`status`);--> statement-breakpoint
CREATE INDEX `tasks_owner_list_idx` ON `tasks` (`owner_id`,`deleted_at`,`id`);--> statement-breakpoint
CREATE INDEX `tasks_owner_type_idx` ON `tasks` (`owner_id`,`task_type`,`id`);--> statement-breakpoint
CREATE INDEX `tasks_workflow_idx` ON `tasks` (`workflow_id`,`step`);--> statement-breakpoint
CREATE UNIQUE INDEX `tasks_create_ref_unique` ON `tasks` (`create_ref`);--> statement-breakpoint
CREATE TABLE `upload_tokens` (
	`id` text PRIMARY KEY NOT NULL,
	`owner_id` integer NOT NULL,
	`r2_key` text NOT NULL,
	`max_bytes` integer NOT NULL,
	`content_type` text,
	`purpose` text NOT NULL,
	`expires_at` integer NOT NULL,
	`used_at` integer,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `webhook_deliveries` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`owner_id` integer NOT NULL,
	`kind` text NOT NULL,
	`target_id` integer NOT NULL,
	`execution_id` text NOT NULL,
	`request_hash` text NOT NULL,
	`response` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `webhook_deliveries_unique` ON `webhook_deliveries` (`owner_id`,`kind`,`target_id`,`execution_id`);--> statement-breakpoint
CREATE TABLE `worker_configs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`owner_id` integer NOT NULL,
	`config_name` text NOT NULL,
	`config_type` text NOT NULL,
	`worker_type` text NOT NULL,
	`config_data` text NOT NULL,
	`description` text,
	`priority` integer DEFAULT 0 NOT NULL,
	`is_active` integer DEFAULT true NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `worker_configs_owner_idx` ON `worker_configs` (`owner_id`,`worker_type`,`config_type`,`is_active`,`priority`);--> statement-breakpoint
CREATE INDEX `worker_configs_owner_active_idx` ON `worker_configs` (`owner_id`,`is_active`,`priority`);--> statement-breakpoint
CREATE TABLE `credit_ledger` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`owner_id` integer NOT NULL,
	`kind` text NOT NULL,
	`amount` integer NOT NULL,
	`export_id` integer,
	`description` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `credit_ledger_owner_idx` ON `credit_ledger` (`owner_id`,`created_at`);--> statement-breakpoint
CREATE UNIQUE INDEX `credit_ledger_export_kind_unique` ON `credit_ledger` (`export_id`,`kind`) WHERE "credit_ledger"."export_id" IS NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX `credit_ledger_settlement_unique` ON `credit_ledger` (`export_id`) WHERE "credit_ledger"."export_id" IS NOT NULL AND "credit_ledger"."kind" IN ('commit', 'refund');--> statement-breakpoint
CREATE TABLE `invoices` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`owner_id` integer NOT NULL,
	`kind` text NOT NULL,
	`period` text NOT NULL,
	`period_start` integer NOT NULL,
	`period_end` integer NOT NULL,
	`subscription_amount` integer NOT NULL,
	`storage_amount` integer NOT NULL,
	`usage_amount` integer NOT NULL,
	`amount` integer NOT NULL,
	`currency` text DEFAULT 'CNY' NOT NULL,
	`status` text NOT NULL,
	`details` text,
	`issued_at` integer NOT NULL,
	`paid_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `invoices_period_unique` ON `invoices` (`owner_id`,`kind`,`period_start`);--> statement-breakpoint
CREATE INDEX `invoices_owner_idx` ON `invoices` (`owner_id`,`issued_at`);--> statement-breakpoint
CREATE TABLE `subscriptions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`user_id` integer NOT NULL,
	`tier` text NOT NULL,
	`status` text NOT NULL,
	`billing_cycle` text NOT NULL,
	`quota_total` integer NOT NULL,
	`quota_used` integer DEFAULT 0 NOT NULL,
	`current_period_start` integer NOT NULL,
	`current_period_end` integer NOT NULL,
	`billing_period_start` integer NOT NULL,
	`billing_period_end` integer NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "subscriptions_quota_within_total" CHECK("subscriptions"."quota_used" >= 0 AND "subscriptions"."quota_used" <= "subscriptions"."quota_total")
);
--> statement-breakpoint
CREATE UNIQUE INDEX `subscriptions_user_id_unique` ON `subscriptions` (`user_id`);--> statement-breakpoint
CREATE INDEX `subscriptions_period_end_idx` ON `subscriptions` (`current_period_end`);--> statement-breakpoint
CREATE INDEX `subscriptions_billing_end_idx` ON `subscriptions` (`billing_period_end`);--> statement-breakpoint
CREATE TABLE `usage_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`owner_id` integer NOT NULL,
	`kind` text NOT NULL,
	`quantity` integer NOT NULL,
	`ref` text NOT NULL,
	`occurred_at` integer NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `usage_events_ref_unique` ON `usage_events` (`owner_id`,`kind`,`ref`);--> statement-breakpoint
CREATE INDEX `usage_events_owner_kind_idx` ON `usage_events` (`owner_id`,`kind`,`occurred_at`);--> statement-breakpoint
CREATE TABLE `api_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` integer NOT NULL,
	`name` text NOT NULL,
	`prefix` text NOT NULL,
	`key_hash` text NOT NULL,
	`scopes` text NOT NULL,
	`created_at` integer NOT NULL,
	`last_used_at` integer,
	`expires_at` integer,
	`revoked_at` integer,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_keys_key_hash_unique` ON `api_keys` (`key_hash`);--> statement-breakpoint
CREATE INDEX `api_keys_user_idx` ON `api_keys` (`user_id`,`revoked_at`);--> statement-breakpoint
CREATE TABLE `auth_sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` integer NOT NULL,
	`created_at` integer NOT NULL,
	`last_refreshed_at` integer,
	`revoked_at` integer,
	`revoke_reason` text,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `auth_sessions_user_idx` ON `auth_sessions` (`user_id`);--> statement-breakpoint
CREATE TABLE `characters` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`owner_id` integer NOT NULL,
	`project_id` text NOT NULL,
	`name` text NOT NULL,
	`description` text,
	`source` text DEFAULT 'upload' NOT NULL,
	`image_key` text,
	`image_content_type` text,
	`image_width` integer,
	`image_height` integer,
	`image_bytes` integer,
	`consistency_model_id` text,
	`signature` text,
	`signature_computed_at` integer,
	`signature_processing_ms` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`deleted_at` integer,
	FOREIGN KEY (`project_id`) REFERENCES `studio_projects`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `characters_owner_project_idx` ON `characters` (`owner_id`,`project_id`,`deleted_at`);--> statement-breakpoint
CREATE TABLE `exports` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`owner_id` integer NOT NULL,
	`project_id` text NOT NULL,
	`workflow_id` integer,
	`task_id` integer,
	`create_ref` text,
	`resolution` text NOT NULL,
	`format` text NOT NULL,
	`include_subtitles` integer NOT NULL,
	`status` text NOT NULL,
	`progress` real DEFAULT 0 NOT NULL,
	`video_length` real NOT NULL,
	`cost` integer NOT NULL,
	`estimated_completion_at` integer,
	`video_key` text,
	`subtitle_key` text,
	`vtt_key` text,
	`poster_key` text,
	`contact_sheet_key` text,
	`file_size` integer,
	`duration` real,
	`encoder` text,
	`render_seconds` real,
	`music_asset_id` integer,
	`error` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`started_at` integer,
	`completed_at` integer,
	FOREIGN KEY (`project_id`) REFERENCES `studio_projects`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `exports_owner_created_idx` ON `exports` (`owner_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `exports_project_idx` ON `exports` (`project_id`);--> statement-breakpoint
CREATE INDEX `exports_status_idx` ON `exports` (`status`);--> statement-breakpoint
CREATE UNIQUE INDEX `exports_create_ref_unique` ON `exports` (`create_ref`);--> statement-breakpoint
CREATE UNIQUE INDEX `exports_task_unique` ON `exports` (`task_id`) WHERE "exports"."task_id" IS NOT NULL AND "exports"."status" IN ('queued', 'processing');--> statement-breakpoint
CREATE TABLE `idempotency_keys` (
	`owner_id` integer NOT NULL,
	`scope` text NOT NULL,
	`key` text NOT NULL,
	`request_hash` text NOT NULL,
	`status_code` integer,
	`response_body` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `idempotency_keys_pk` ON `idempotency_keys` (`owner_id`,`scope`,`key`);--> statement-breakpoint
CREATE TABLE `refresh_tokens` (
	`token_hash` text PRIMARY KEY NOT NULL,
	`session_id` text NOT NULL,
	`user_id` integer NOT NULL,
	`issued_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`used_at` integer,
	`replaced_by` text,
	FOREIGN KEY (`session_id`) REFERENCES `auth_sessions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `refresh_tokens_session_idx` ON `refresh_tokens` (`session_id`);--> statement-breakpoint
CREATE TABLE `storyboards` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`owner_id` integer NOT NULL,
	`project_id` text NOT NULL,
	`scene_number` integer NOT NULL,
	`description` text NOT NULL,
	`caption` text,
	`character_ids` text NOT NULL,
	`duration` real NOT NULL,
	`status` text NOT NULL,
	`style` text,
	`image_key` text,
	`image_source` text,
	`consistency_score` real,
	`processing_ms` integer,
	`error` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`deleted_at` integer,
	FOREIGN KEY (`project_id`) REFERENCES `studio_projects`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `storyboards_scene_unique` ON `storyboards` (`project_id`,`scene_number`) WHERE "storyboards"."deleted_at" IS NULL;--> statement-breakpoint
CREATE INDEX `storyboards_owner_project_idx` ON `storyboards` (`owner_id`,`project_id`,`deleted_at`,`scene_number`);--> statement-breakpoint
CREATE TABLE `studio_projects` (
	`id` text PRIMARY KEY NOT NULL,
	`owner_id` integer NOT NULL,
	`name` text NOT NULL,
	`description` text,
	`aspect_ratio` text NOT NULL,
	`script` text,
	`status` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`deleted_at` integer,
	FOREIGN KEY (`owner_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `studio_projects_owner_list_idx` ON `studio_projects` (`owner_id`,`deleted_at`,`created_at`);--> statement-breakpoint
CREATE INDEX `studio_projects_owner_status_idx` ON `studio_projects` (`owner_id`,`deleted_at`,`status`,`created_at`);--> statement-breakpoint
CREATE TABLE `users` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`email` text NOT NULL,
	`username` text NOT NULL,
	`password_hash` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_email_unique` ON `users` (`email`);--> statement-breakpoint
CREATE TABLE `workflow_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`workflow_id` integer NOT NULL,
	`task_id` integer NOT NULL,
	`step` text,
	`parent_task_id` integer,
	`item_ref` text,
	`task_type` text NOT NULL,
	`old_status` text,
	`new_status` text NOT NULL,
	`error_message` text,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `workflow_events_workflow_idx` ON `workflow_events` (`workflow_id`,`id`);--> statement-breakpoint
CREATE TABLE `workflows` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`owner_id` integer NOT NULL,
	`project_id` text NOT NULL,
	`pipeline_project_id` integer,
	`workflow_type` text NOT NULL,
	`generator` text DEFAULT 'builtin' NOT NULL,
	`options` text,
	`status` text NOT NULL,
	`current_step` text,
	`progress` real DEFAULT 0 NOT NULL,
	`error` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`completed_at` integer,
	FOREIGN KEY (`project_id`) REFERENCES `studio_projects`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `workflows_owner_project_idx` ON `workflows` (`owner_id`,`project_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `workflows_status_idx` ON `workflows` (`status`);--> statement-breakpoint
CREATE UNIQUE INDEX `workflows_active_project_unique` ON `workflows` (`project_id`) WHERE "workflows"."status" IN ('running', 'paused') AND "workflows"."workflow_type" != 'render';