/*
 * csat.h - customer satisfaction by mail: is this reply a score?
 *
 * When a ticket is resolved, the customer is asked to reply with a
 * number from 1 (poor) to 5 (great) and a comment if they like.  This
 * module only reads such a reply: pure text in, a score and a comment
 * out.  Whether the reply is a rating at all (a reply on a resolved
 * ticket) and what it does to the ticket is process.c's business.
 */
#ifndef MT_CSAT_H
#define MT_CSAT_H

#include <stdbool.h>

/* The lowest and highest score. */
#define CSAT_MIN 1
#define CSAT_MAX 5

/* True when text (a message's reply_text) starts with a score: a digit
 * 1-5 ("5", "5/5", "4 of 5", "4 - good", "5, thanks") or a word or
 * phrase in one of the languages of the subject normaliser ("great",
 * "sehr gut", "très bien", "cinco", "slecht", ...).  A word counts only
 * when it stands alone on its line or is followed by "!", "-" or ":",
 * so that "Good morning" or "OK, I tried that" stay follow-ups.
 * *score_out receives the score, *comment_out the rest of the text,
 * trimmed, or NULL when nothing is left; the caller frees it.  Both
 * are untouched when the text is not a score.  text may be NULL. */
bool csat_parse(const char *text, int *score_out, char **comment_out);

#endif
