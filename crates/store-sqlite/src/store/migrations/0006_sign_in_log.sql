-- Every sign-in, accepted or refused: who, as which role, when, and why a refusal. Consecutive
-- refusals of one login since its last accepted sign-in make it wait before the next attempt.
CREATE TABLE sign_in_log (
    seq    INTEGER PRIMARY KEY,
    at     TEXT NOT NULL,
    login  TEXT NOT NULL,
    role   TEXT NOT NULL,
    ok     INTEGER NOT NULL,
    reason TEXT
);
CREATE INDEX sign_in_log_login ON sign_in_log (login, seq);
