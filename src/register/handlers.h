/* handlers.h (register): the professional register's routes. */
#ifndef KR_REGISTER_HANDLERS_H
#define KR_REGISTER_HANDLERS_H

#include "http/context.h"

void register_profile_list_handler(http_ctx *ctx);
void register_profile_get_handler(http_ctx *ctx);
void register_profile_create_handler(http_ctx *ctx);
void register_profile_replace_handler(http_ctx *ctx);
void register_code_list_handler(http_ctx *ctx);
void register_code_get_handler(http_ctx *ctx);
void register_code_create_handler(http_ctx *ctx);
void register_competence_list_handler(http_ctx *ctx);
void register_competence_get_handler(http_ctx *ctx);
void register_competence_create_handler(http_ctx *ctx);
void register_competence_replace_handler(http_ctx *ctx);
void register_activity_types_handler(http_ctx *ctx);

void register_application_handler(http_ctx *ctx);
void register_professional_create_handler(http_ctx *ctx);
void register_professional_list_handler(http_ctx *ctx);
void register_professional_get_handler(http_ctx *ctx);
void register_diploma_put_handler(http_ctx *ctx);
void register_diploma_get_handler(http_ctx *ctx);
void register_acceptance_handler(http_ctx *ctx);
void register_approval_handler(http_ctx *ctx);
void register_rejection_handler(http_ctx *ctx);
void register_deregistration_handler(http_ctx *ctx);
void register_history_handler(http_ctx *ctx);
void register_export_handler(http_ctx *ctx);

void register_measure_create_handler(http_ctx *ctx);
void register_measure_list_handler(http_ctx *ctx);
void register_measure_end_handler(http_ctx *ctx);
void register_measure_revoke_handler(http_ctx *ctx);

void register_plan_get_handler(http_ctx *ctx);
void register_plan_put_handler(http_ctx *ctx);
void register_activity_create_handler(http_ctx *ctx);
void register_activity_list_handler(http_ctx *ctx);
void register_activity_get_handler(http_ctx *ctx);
void register_activity_replace_handler(http_ctx *ctx);
void register_activity_delete_handler(http_ctx *ctx);
void register_evidence_upload_handler(http_ctx *ctx);
void register_evidence_get_handler(http_ctx *ctx);
void register_evidence_delete_handler(http_ctx *ctx);

void register_progress_handler(http_ctx *ctx);
void register_reregistration_handler(http_ctx *ctx);

void register_public_search_handler(http_ctx *ctx);
void register_public_get_handler(http_ctx *ctx);

#endif
