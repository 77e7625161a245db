//! The learning slice's courses (issue 17): courses with their modules and lessons, one
//! quiz each (questions and options), cohorts (an enrolment window and a seat cap, kept
//! on the course), enrolments with the waitlist, lesson progress, quiz attempts and
//! completions (the certificates, one per member and course).

use sea_orm_migration::prelude::*;

const UP: &str = r#"
CREATE TABLE courses (
    id UUID PRIMARY KEY,
    title TEXT NOT NULL,
    summary TEXT NOT NULL DEFAULT '',
    credential TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL,
    opens_at TIMESTAMPTZ,
    closes_at TIMESTAMPTZ,
    seats BIGINT,
    created_by UUID,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX courses_by_status ON courses (status, title);

CREATE TABLE course_modules (
    id UUID PRIMARY KEY,
    course_id UUID NOT NULL REFERENCES courses (id),
    position BIGINT NOT NULL,
    title TEXT NOT NULL
);
CREATE INDEX course_modules_by_course ON course_modules (course_id, position);

CREATE TABLE course_lessons (
    id UUID PRIMARY KEY,
    course_id UUID NOT NULL REFERENCES courses (id),
    module_id UUID NOT NULL REFERENCES course_modules (id),
    position BIGINT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL DEFAULT '',
    video_url TEXT NOT NULL DEFAULT '',
    captions_url TEXT NOT NULL DEFAULT '',
    transcript TEXT NOT NULL DEFAULT '',
    files TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX course_lessons_by_module ON course_lessons (module_id, position);
CREATE INDEX course_lessons_by_course ON course_lessons (course_id);

CREATE TABLE course_quizzes (
    id UUID PRIMARY KEY,
    course_id UUID NOT NULL UNIQUE REFERENCES courses (id),
    pass_percent BIGINT NOT NULL,
    max_attempts BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE quiz_questions (
    id UUID PRIMARY KEY,
    quiz_id UUID NOT NULL REFERENCES course_quizzes (id),
    position BIGINT NOT NULL,
    text TEXT NOT NULL,
    explanation TEXT NOT NULL DEFAULT ''
);
CREATE INDEX quiz_questions_by_quiz ON quiz_questions (quiz_id, position);

CREATE TABLE quiz_options (
    id UUID PRIMARY KEY,
    question_id UUID NOT NULL REFERENCES quiz_questions (id),
    position BIGINT NOT NULL,
    text TEXT NOT NULL,
    correct BOOLEAN NOT NULL
);
CREATE INDEX quiz_options_by_question ON quiz_options (question_id, position);

CREATE TABLE course_enrolments (
    course_id UUID NOT NULL REFERENCES courses (id),
    member_id UUID NOT NULL,
    status TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (course_id, member_id)
);
CREATE INDEX course_enrolments_by_member ON course_enrolments (member_id);
CREATE INDEX course_enrolments_queue ON course_enrolments (course_id, status, created_at);

CREATE TABLE lesson_progress (
    member_id UUID NOT NULL,
    lesson_id UUID NOT NULL REFERENCES course_lessons (id),
    course_id UUID NOT NULL REFERENCES courses (id),
    completed_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (member_id, lesson_id)
);
CREATE INDEX lesson_progress_by_course ON lesson_progress (member_id, course_id);

CREATE TABLE quiz_attempts (
    id UUID PRIMARY KEY,
    quiz_id UUID NOT NULL REFERENCES course_quizzes (id),
    member_id UUID NOT NULL,
    score_percent BIGINT NOT NULL,
    passed BOOLEAN NOT NULL,
    answers TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX quiz_attempts_by_member ON quiz_attempts (member_id, quiz_id);

CREATE TABLE course_completions (
    code TEXT PRIMARY KEY,
    course_id UUID NOT NULL REFERENCES courses (id),
    member_id UUID NOT NULL,
    completed_at TIMESTAMPTZ NOT NULL,
    shown BOOLEAN NOT NULL DEFAULT FALSE,
    UNIQUE (course_id, member_id)
);
CREATE INDEX course_completions_by_member ON course_completions (member_id)
"#;

crate::portable_migration!(UP);
