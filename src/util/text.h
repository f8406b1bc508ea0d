/*
** Small text helpers: trimming, ASCII case folding, and the normalisation of
** names and postcodes into search keys (lower-case letters and digits only,
** common Latin accents folded), shared by search and record linkage.
*/
#ifndef SAFEHUB_UTIL_TEXT_H
#define SAFEHUB_UTIL_TEXT_H
#include <stdbool.h>
#include <stddef.h>

char *text_trim_dup(const char *s);
bool text_is_blank(const char *s);
void text_lower_ascii(char *s);
void text_upper_ascii(char *s);
size_t text_fold_key(const char *in, char *out, size_t outcap);
int text_split_tokens(const char *in, char out[][64], int max);
bool text_has_control(const char *s, bool allow_newlines);
bool text_streq(const char *a, const char *b);

#endif
