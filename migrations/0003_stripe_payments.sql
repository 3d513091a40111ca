CREATE TABLE `billing_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`owner_id` integer NOT NULL,
	`kind` text NOT NULL,
	`ref` text NOT NULL,
	`data` text NOT NULL,
	`occurred_at` integer NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `billing_events_ref_unique` ON `billing_events` (`owner_id`,`kind`,`ref`);--> statement-breakpoint
CREATE INDEX `billing_events_owner_idx` ON `billing_events` (`owner_id`,`occurred_at`);--> statement-breakpoint
CREATE TABLE `stripe_customers` (
	`user_id` integer PRIMARY KEY NOT NULL,
	`customer_id` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `stripe_customers_customer_id_unique` ON `stripe_customers` (`customer_id`);--> statement-breakpoint
CREATE TABLE `stripe_events` (
	`id` text PRIMARY KEY NOT NULL,
	`type` text NOT NULL,
	`invoice_id` integer,
	`outcome` text NOT NULL,
	`received_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `stripe_events_received_idx` ON `stripe_events` (`received_at`);--> statement-breakpoint
ALTER TABLE `invoices` ADD `due_at` integer;--> statement-breakpoint
ALTER TABLE `invoices` ADD `paid_via` text;--> statement-breakpoint
ALTER TABLE `invoices` ADD `amount_paid` integer;--> statement-breakpoint
ALTER TABLE `invoices` ADD `paid_reference` text;--> statement-breakpoint
ALTER TABLE `invoices` ADD `voided_at` integer;--> statement-breakpoint
ALTER TABLE `invoices` ADD `stripe_invoice_id` text;--> statement-breakpoint
ALTER TABLE `invoices` ADD `hosted_invoice_url` text;--> statement-breakpoint
ALTER TABLE `invoices` ADD `stripe_status` text;--> statement-breakpoint
CREATE INDEX `invoices_owner_status_idx` ON `invoices` (`owner_id`,`status`,`due_at`);--> statement-breakpoint
CREATE INDEX `invoices_status_due_idx` ON `invoices` (`status`,`due_at`);--> statement-breakpoint
CREATE UNIQUE INDEX `invoices_stripe_invoice_unique` ON `invoices` (`stripe_invoice_id`) WHERE "invoices"."stripe_invoice_id" IS NOT NULL;--> statement-breakpoint
ALTER TABLE `subscriptions` ADD `past_due_at` integer;--> statement-breakpoint
ALTER TABLE `subscriptions` ADD `restore_tier` text;--> statement-breakpoint
ALTER TABLE `subscriptions` ADD `restore_cycle` text;--> statement-breakpoint
ALTER TABLE `subscriptions` ADD `downgraded_at` integer;--> statement-breakpoint
CREATE INDEX `subscriptions_status_idx` ON `subscriptions` (`status`);--> statement-breakpoint
-- Existing rows. Amounts were already integer fen in their columns; the money copies in `details`
-- (decimal ¥ as floats) leave it, the billed length stays as integer milliseconds.
UPDATE `invoices` SET `details` = json_set(
    json_remove(`details`, '$.subscription_fee', '$.storage', '$.export_credits_used', '$.fraction_of_period'),
    '$.billed_ms', `period_end` - `period_start`)
  WHERE `details` IS NOT NULL;--> statement-breakpoint
-- Open invoices above ¥0 get the default due date (BILLING_PAST_DUE_DAYS = 7 days after issue).
UPDATE `invoices` SET `due_at` = `issued_at` + 604800000 WHERE `status` = 'open' AND `amount` > 0;--> statement-breakpoint
-- ¥0 invoices were paid when issued: nothing was due.
UPDATE `invoices` SET `paid_via` = 'nothing_due', `amount_paid` = 0 WHERE `status` = 'paid' AND `amount` = 0;
