/*
 * A disassembler plugin for HotSpot's -XX:+PrintAssembly and JMH's perfasm profiler, built on
 * Debian's libhsdis0-fcml. That library exports only the old entry point, decode_instructions;
 * JDK 25 looks for decode_instructions_virtual. This forwards one to the other (HotSpot passes
 * the code's own address as the buffer, so the virtual and real addresses are the same).
 * See docs/profiling.md for how to build and use it.
 */
#include <dlfcn.h>
#include <stddef.h>
#include <stdint.h>

typedef void *(*event_callback)(void *, const char *, void *);
typedef int (*printf_callback)(void *, const char *, ...);
typedef void *(*old_decoder)(void *, void *, event_callback, void *, printf_callback, void *, const char *);

void *decode_instructions_virtual(uintptr_t start_va, uintptr_t end_va, unsigned char *buffer,
                                  uintptr_t length, event_callback events, void *event_stream,
                                  printf_callback print, void *print_stream, const char *options,
                                  int newline) {
    static old_decoder decode = NULL;
    (void) buffer;
    (void) length;
    (void) newline;
    if (decode == NULL) {
        void *library = dlopen("libhsdis.so.0", RTLD_NOW);
        if (library == NULL) {
            return NULL;
        }
        decode = (old_decoder) dlsym(library, "decode_instructions");
        if (decode == NULL) {
            return NULL;
        }
    }
    return decode((void *) start_va, (void *) end_va, events, event_stream, print, print_stream, options);
}
