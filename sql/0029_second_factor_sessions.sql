-- A refresh token remembers whether the sign-in that began its family used the second factor,
-- so that access tokens it refreshes say so too (the `amr` claim, auth/token.h): with
-- ADMIN_SECOND_FACTOR=required an admin's token without it reaches only the enrolment routes.
ALTER TABLE refresh_tokens ADD COLUMN second_factor boolean NOT NULL DEFAULT false;
