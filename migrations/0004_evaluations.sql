CREATE TABLE `evaluations` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`key_id` text NOT NULL,
	`model_id` text NOT NULL,
	`trait` text NOT NULL,
	`status` text NOT NULL,
	`progress` text NOT NULL,
	`job_node` text,
	`job_id` text,
	`attempts` integer DEFAULT 0 NOT NULL,
	`error` text,
	`unavailable_since` integer,
	`retry_at` integer,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `evaluations_account` ON `evaluations` (`account_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `evaluations_status` ON `evaluations` (`status`,`updated_at`);--> statement-breakpoint
ALTER TABLE `traits` ADD `quality` text;--> statement-breakpoint
ALTER TABLE `usage` ADD `kind` text DEFAULT 'inference' NOT NULL;