ALTER TABLE `steerable_models` ADD `layers` text;--> statement-breakpoint
ALTER TABLE `traits` ADD `layer_choice` text;