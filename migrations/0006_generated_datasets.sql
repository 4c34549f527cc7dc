ALTER TABLE `steerable_models` ADD `key_id` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `traits` ADD `description` text;--> statement-breakpoint
ALTER TABLE `traits` ADD `generated_pairs` integer;