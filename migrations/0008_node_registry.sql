CREATE TABLE `nodes` (
	`id` text PRIMARY KEY NOT NULL,
	`url` text NOT NULL,
	`state` text DEFAULT 'active' NOT NULL,
	`base_model` text,
	`health` text DEFAULT 'unknown' NOT NULL,
	`health_error` text,
	`checked_at` integer,
	`load` text,
	`source` text NOT NULL,
	`completions_served` integer DEFAULT 0 NOT NULL,
	`removed_at` integer,
	`added_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `nodes_url_unique` ON `nodes` (`url`);