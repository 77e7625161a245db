//! Integration tests through the real HTTP surface, on SQLite and PostgreSQL.

mod support;

mod accounts;
mod analytics;
mod architecture;
mod articles;
mod awards;
mod community;
mod console;
mod courses;
mod discussions;
mod events;
mod hardening;
mod hardening_ops;
mod hidden_groups;
mod kernel_parts;
mod moment_filters;
mod moments;
mod newsletter;
mod operations;
mod opportunities;
mod privacy;
mod profiles;
mod queries;
mod resources;
mod rewards;
mod rewards_props;
mod security;
mod surveys;
