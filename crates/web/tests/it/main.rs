//! Integration tests through the real HTTP surface, on SQLite and PostgreSQL.

mod support;

mod accounts;
mod analytics;
mod architecture;
mod articles;
mod audit_log;
mod awards;
mod awards_guests;
mod awards_pages;
mod community;
mod console;
mod console_forms;
mod courses;
mod discussions;
mod events;
mod hardening;
mod hardening_ops;
mod hidden_groups;
mod home_page;
mod kernel_parts;
mod moments;
mod newsletter;
mod newsletter_editor;
mod newsletter_delivery;
mod operations;
mod opportunities;
mod privacy;
mod profiles;
mod queries;
mod resources;
mod rewards;
mod rewards_props;
mod security;
mod staff_forms;
mod surveys;
