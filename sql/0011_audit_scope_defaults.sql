-- Every stored audit scope has all its members, as the contract shows them: audits created
-- without `parts` or `businessCriticalVolunteers` (both optional) get their defaults.
UPDATE audits SET scope = scope || jsonb_build_object(
  'parts', coalesce(scope->'parts', '[]'),
  'businessCriticalVolunteers', coalesce(scope->'businessCriticalVolunteers', '0'))
WHERE NOT (scope ? 'parts' AND scope ? 'businessCriticalVolunteers');
