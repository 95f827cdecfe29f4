-- Stored idempotent responses never hold a secret: bodies that showed one (API tokens, machine
-- client secrets, webhook signing keys) are replaced by the marker a replay now answers with
-- 409 secret_not_replayed. Rows live 24 hours; this scrubs the ones made before the change.
UPDATE idempotency_keys
SET response_body = convert_to('{"secret_withheld":true}', 'UTF8')
WHERE response_body IS NOT NULL
  AND (request_path LIKE '/api/v1/api-tokens%'
       OR request_path LIKE '/api/v1/machine-clients%'
       OR request_path LIKE '/api/v1/webhooks%')
  AND position('secret' in convert_from(response_body, 'UTF8')) > 0;
