/*
 * hedra_trace: an LD_PRELOAD library that records a program's heap calls for Hedra's trace replay.
 *
 *   LD_PRELOAD=/path/to/libhedratrace.so HEDRA_TRACE_FILE=/tmp/run.raw program args...
 *
 * It interposes malloc, calloc, realloc, reallocarray, free, posix_memalign, aligned_alloc,
 * memalign, valloc and pvalloc, forwards each call to the next definition (glibc's, found with
 * dlsym(RTLD_NEXT)), and records it. dev.hedra.bench.trace.TraceConverter turns the file into a
 * compact replayable trace; docs/traces.md describes both formats.
 *
 * Recording
 *   Each thread appends fixed-size records to its own buffer (mmap'ed, never malloc'ed) under the
 *   buffer's own lock, which only the process-exit flush ever contends for. A full buffer is
 *   written to the file as one chunk with one write(2) on an O_APPEND descriptor, under a
 *   process-wide lock: chunks of one process never interleave, and chunks of processes that
 *   share the file (a compiler driver and its cc1, as, ld children) stay whole.
 *   Buffers are flushed when full, at thread exit (a pthread key destructor, re-armed so that
 *   frees made by later destructors are kept) and at process exit (a destructor that flushes
 *   every thread's buffer, after which each record is written at once).
 *
 * Order
 *   Records carry a process-wide sequence number. An allocation takes it after the real call
 *   returns and a free before the real call starts, so that whenever a block moves between
 *   threads or an address is reused, the sequence numbers follow the program's own
 *   happens-before order: malloc(p) < free(p) < the next malloc returning p. realloc takes its
 *   number after the call; the rare race where another thread gets the old address back before
 *   the realloc records is repaired by the converter.
 *
 * Bootstrap
 *   dlsym may call calloc or malloc before the real functions are known; those requests are
 *   served from a small static buffer whose blocks are never freed nor recorded.
 *
 * Reentrancy
 *   A per-thread flag marks the recorder's own code: any heap call made from inside it (none is
 *   expected; write, open and mmap do not allocate) goes straight to the real function.
 *
 * Not recorded: calls made after exec(2) replaced the image before a flush (records buffered at
 * that moment are lost), calls of a process that ends with _exit(2) or a signal since its last
 * flush, and frees of NULL.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* ---- file format (little-endian, as the machine writes it) ------------------------------- */

/* One chunk: a header, then `count` records, all from one process. */
struct chunk_header {
    uint32_t magic;      /* HEDRA_TRACE_MAGIC */
    uint32_t count;      /* records that follow */
    uint32_t pid;        /* getpid() of the writing process */
    uint32_t reserved;   /* 0 */
    uint64_t session;    /* start time of the process image in ns (CLOCK_REALTIME) */
};

struct record {
    uint64_t seq;        /* process-wide order of the calls */
    uint64_t size;       /* bytes requested; for calloc and reallocarray the element size */
    uint64_t extra;      /* calloc/reallocarray: element count; aligned calls: alignment */
    uint64_t in;         /* realloc, reallocarray, free: the address passed in */
    uint64_t out;        /* the address returned (0 on failure); free: 0 */
    uint32_t tid;        /* gettid() */
    uint8_t op;          /* OP_* below */
    uint8_t pad[3];
};

#define HEDRA_TRACE_MAGIC 0x31525448u /* "HTR1" read as little-endian bytes */

enum {
    OP_MALLOC = 1,
    OP_CALLOC = 2,
    OP_REALLOC = 3,
    OP_FREE = 4,
    OP_POSIX_MEMALIGN = 5,
    OP_ALIGNED_ALLOC = 6,
    OP_MEMALIGN = 7,
    OP_REALLOCARRAY = 8,
    OP_VALLOC = 9,
    OP_PVALLOC = 10,
};

_Static_assert(sizeof(struct chunk_header) == 24, "chunk header layout");
_Static_assert(sizeof(struct record) == 48, "record layout");

/* ---- the real functions and the bootstrap heap ------------------------------------------- */

static void *(*real_malloc)(size_t);
static void *(*real_calloc)(size_t, size_t);
static void *(*real_realloc)(void *, size_t);
static void *(*real_reallocarray)(void *, size_t, size_t);
static void (*real_free)(void *);
static int (*real_posix_memalign)(void **, size_t, size_t);
static void *(*real_aligned_alloc)(size_t, size_t);
static void *(*real_memalign)(size_t, size_t);
static void *(*real_valloc)(size_t);
static void *(*real_pvalloc)(size_t);

#define BOOTSTRAP_BYTES (64 * 1024)
static _Alignas(16) unsigned char bootstrap_heap[BOOTSTRAP_BYTES];
static size_t bootstrap_used; /* under resolve_lock: only the resolving thread allocates here */
static __thread int resolving __attribute__((tls_model("initial-exec"))); /* this thread is in dlsym */
static pthread_mutex_t resolve_lock = PTHREAD_MUTEX_INITIALIZER;

static int in_bootstrap(const void *p) {
    return (const unsigned char *)p >= bootstrap_heap
        && (const unsigned char *)p < bootstrap_heap + BOOTSTRAP_BYTES;
}

/* Blocks carry their size in the 16 bytes before them, for realloc out of the bootstrap heap. */
static void *bootstrap_alloc(size_t size) {
    size_t need = (size + 15) / 16 * 16 + 16;
    if (need > BOOTSTRAP_BYTES - bootstrap_used) {
        return NULL;
    }
    unsigned char *block = bootstrap_heap + bootstrap_used + 16;
    bootstrap_used += need;
    memcpy(block - 16, &size, sizeof size);
    return block; /* static storage starts zeroed and is never reused: calloc needs no memset */
}

static size_t bootstrap_size(const void *p) {
    size_t size;
    memcpy(&size, (const unsigned char *)p - 16, sizeof size);
    return size;
}

static void resolve(void) {
    pthread_mutex_lock(&resolve_lock);
    if (real_free == NULL) {
        resolving = 1;
        real_malloc = dlsym(RTLD_NEXT, "malloc");
        real_calloc = dlsym(RTLD_NEXT, "calloc");
        real_realloc = dlsym(RTLD_NEXT, "realloc");
        real_reallocarray = dlsym(RTLD_NEXT, "reallocarray");
        real_posix_memalign = dlsym(RTLD_NEXT, "posix_memalign");
        real_aligned_alloc = dlsym(RTLD_NEXT, "aligned_alloc");
        real_memalign = dlsym(RTLD_NEXT, "memalign");
        real_valloc = dlsym(RTLD_NEXT, "valloc");
        real_pvalloc = dlsym(RTLD_NEXT, "pvalloc");
        void (*free_function)(void *) = dlsym(RTLD_NEXT, "free");
        resolving = 0;
        __atomic_store_n(&real_free, free_function, __ATOMIC_RELEASE); /* last: the "resolved" flag */
    }
    pthread_mutex_unlock(&resolve_lock);
}

static inline int resolved(void) {
    return __atomic_load_n(&real_free, __ATOMIC_ACQUIRE) != NULL;
}

/* ---- per-thread buffers ------------------------------------------------------------------ */

#define BUFFER_RECORDS 4096

struct buffer {
    struct chunk_header header; /* written in front of the records, so a flush is one write */
    struct record records[BUFFER_RECORDS];
    int lock;                   /* 0 or 1; owner per record, the exit flush per buffer */
    struct buffer *next;        /* the list of every buffer, under file_lock */
};

#define TLS __attribute__((tls_model("initial-exec"))) static __thread

TLS struct buffer *my_buffer;
TLS uint32_t my_tid;
TLS int in_recorder; /* the reentrancy guard */

static pthread_mutex_t file_lock = PTHREAD_MUTEX_INITIALIZER; /* the file, `buffers`, `fd` */
static struct buffer *buffers;
static int fd = -1;              /* -1: not opened yet; -2: no file, recording is off */
static uint64_t next_seq;        /* atomic */
static int process_exiting;      /* set by the exit flush: from then on every record is written */
static uint32_t my_pid;
static uint64_t my_session;
static pthread_key_t thread_exit_key;
static pthread_once_t setup_once = PTHREAD_ONCE_INIT;

static void lock_spin(int *lock) {
    while (__atomic_exchange_n(lock, 1, __ATOMIC_ACQUIRE)) {
        while (__atomic_load_n(lock, __ATOMIC_RELAXED)) {
            sched_yield();
        }
    }
}

static void unlock_spin(int *lock) {
    __atomic_store_n(lock, 0, __ATOMIC_RELEASE);
}

static void open_file_locked(void) {
    if (fd != -1) {
        return;
    }
    const char *path = getenv("HEDRA_TRACE_FILE");
    fd = path == NULL || *path == '\0' ? -2 : open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) {
        fd = -2;
    }
}

/* Writes the chunk in one write(2) if the kernel takes it whole, as it does for regular files. */
static void write_chunk_locked(struct chunk_header *header, uint32_t count) {
    open_file_locked();
    if (fd < 0 || count == 0) {
        return;
    }
    header->magic = HEDRA_TRACE_MAGIC;
    header->count = count;
    header->pid = my_pid;
    header->reserved = 0;
    header->session = my_session;
    const char *bytes = (const char *)header;
    size_t left = sizeof *header + (size_t)count * sizeof(struct record);
    while (left > 0) {
        ssize_t written = write(fd, bytes, left);
        if (written < 0 && errno == EINTR) {
            continue;
        }
        if (written <= 0) {
            return; /* disk full or closed by the program: give up on this chunk */
        }
        bytes += written;
        left -= (size_t)written;
    }
}

/* The caller holds the buffer's lock. */
static void flush_buffer(struct buffer *buffer, uint32_t *count) {
    pthread_mutex_lock(&file_lock);
    write_chunk_locked(&buffer->header, *count);
    pthread_mutex_unlock(&file_lock);
    *count = 0;
}

/* Counts live next to the records, in the chunk header's `count` slot, between flushes. */
static void flush_own(struct buffer *buffer) {
    lock_spin(&buffer->lock);
    flush_buffer(buffer, &buffer->header.count);
    unlock_spin(&buffer->lock);
}

static void on_thread_exit(void *value) {
    struct buffer *buffer = value;
    int was = in_recorder;
    in_recorder = 1;
    flush_own(buffer);
    in_recorder = was;
    /* Re-armed, so that frees made by destructors that run after this one are flushed too. */
    pthread_setspecific(thread_exit_key, buffer);
}

static void after_fork_in_child(void) {
    /* The child's records are its own: forget the parent's unflushed ones and threads. */
    my_pid = (uint32_t)getpid();
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    my_session = (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
    my_tid = (uint32_t)syscall(SYS_gettid);
    pthread_mutex_init(&file_lock, NULL);
    buffers = my_buffer;
    if (my_buffer != NULL) {
        my_buffer->next = NULL;
        my_buffer->lock = 0;
        my_buffer->header.count = 0;
    }
}

static void before_fork(void) {
    pthread_mutex_lock(&file_lock);
}

static void after_fork_in_parent(void) {
    pthread_mutex_unlock(&file_lock);
}

static void setup(void) {
    my_pid = (uint32_t)getpid();
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    my_session = (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
    pthread_key_create(&thread_exit_key, on_thread_exit);
    pthread_atfork(before_fork, after_fork_in_parent, after_fork_in_child);
}

static struct buffer *new_buffer(void) {
    void *memory = mmap(NULL, sizeof(struct buffer), PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (memory == MAP_FAILED) {
        return NULL;
    }
    struct buffer *buffer = memory; /* zeroed by mmap */
    pthread_mutex_lock(&file_lock);
    buffer->next = buffers;
    buffers = buffer;
    pthread_mutex_unlock(&file_lock);
    pthread_setspecific(thread_exit_key, buffer);
    return buffer;
}

static inline uint64_t take_seq(void) {
    return __atomic_fetch_add(&next_seq, 1, __ATOMIC_RELAXED);
}

static void record(uint8_t op, uint64_t seq, uint64_t size, uint64_t extra, const void *in,
                   const void *out) {
    if (in_recorder) {
        return;
    }
    in_recorder = 1;
    pthread_once(&setup_once, setup);
    if (my_tid == 0) {
        my_tid = (uint32_t)syscall(SYS_gettid);
    }
    struct record entry = {
        .seq = seq, .size = size, .extra = extra, .in = (uint64_t)(uintptr_t)in,
        .out = (uint64_t)(uintptr_t)out, .tid = my_tid, .op = op,
    };
    struct buffer *buffer = my_buffer;
    if (buffer == NULL && !__atomic_load_n(&process_exiting, __ATOMIC_ACQUIRE)) {
        buffer = my_buffer = new_buffer();
    }
    if (buffer != NULL) {
        lock_spin(&buffer->lock);
        /* Read under the buffer's lock: the exit flush sets it before it takes this lock, so a
           record appended here is either flushed by it or sees the flag. */
        if (!__atomic_load_n(&process_exiting, __ATOMIC_ACQUIRE)) {
            buffer->records[buffer->header.count++] = entry;
            if (buffer->header.count == BUFFER_RECORDS) {
                flush_buffer(buffer, &buffer->header.count);
            }
            unlock_spin(&buffer->lock);
            in_recorder = 0;
            return;
        }
        unlock_spin(&buffer->lock);
    }
    /* After the exit flush no buffer is flushed again (or no buffer could be had): write now. */
    struct {
        struct chunk_header header;
        struct record record;
    } single = {.record = entry};
    pthread_mutex_lock(&file_lock);
    write_chunk_locked(&single.header, 1);
    pthread_mutex_unlock(&file_lock);
    in_recorder = 0;
}

__attribute__((destructor)) static void flush_at_exit(void) {
    in_recorder = 1;
    __atomic_store_n(&process_exiting, 1, __ATOMIC_RELEASE);
    pthread_mutex_lock(&file_lock);
    struct buffer *list = buffers;
    pthread_mutex_unlock(&file_lock);
    for (struct buffer *buffer = list; buffer != NULL; buffer = buffer->next) {
        flush_own(buffer);
    }
    in_recorder = 0;
}

/* ---- the interposed functions ------------------------------------------------------------ */

#define ENSURE_RESOLVED()  \
    if (!resolved()) {     \
        resolve();         \
    }

void *malloc(size_t size) {
    if (resolving) {
        return bootstrap_alloc(size);
    }
    ENSURE_RESOLVED();
    void *result = real_malloc(size);
    record(OP_MALLOC, take_seq(), size, 0, NULL, result);
    return result;
}

void *calloc(size_t count, size_t size) {
    if (resolving) {
        return bootstrap_alloc(count * size);
    }
    ENSURE_RESOLVED();
    void *result = real_calloc(count, size);
    record(OP_CALLOC, take_seq(), size, count, NULL, result);
    return result;
}

void *realloc(void *address, size_t size) {
    if (resolving || in_bootstrap(address)) {
        /* Moving out of (or within) the bootstrap heap: a new block and a copy. */
        void *result;
        if (resolving) {
            result = bootstrap_alloc(size);
        } else {
            ENSURE_RESOLVED();
            result = real_malloc(size);
            record(OP_MALLOC, take_seq(), size, 0, NULL, result);
        }
        if (result != NULL && address != NULL) {
            size_t old = bootstrap_size(address);
            memcpy(result, address, old < size ? old : size);
        }
        return result;
    }
    ENSURE_RESOLVED();
    void *result = real_realloc(address, size);
    record(OP_REALLOC, take_seq(), size, 0, address, result);
    return result;
}

void *reallocarray(void *address, size_t count, size_t size) {
    ENSURE_RESOLVED();
    if (in_bootstrap(address) || real_reallocarray == NULL) {
        size_t total;
        if (__builtin_mul_overflow(count, size, &total)) {
            errno = ENOMEM;
            return NULL;
        }
        return realloc(address, total);
    }
    void *result = real_reallocarray(address, count, size);
    record(OP_REALLOCARRAY, take_seq(), size, count, address, result);
    return result;
}

void free(void *address) {
    if (address == NULL || in_bootstrap(address)) {
        return;
    }
    ENSURE_RESOLVED();
    record(OP_FREE, take_seq(), 0, 0, address, NULL);
    real_free(address);
}

int posix_memalign(void **result, size_t alignment, size_t size) {
    ENSURE_RESOLVED();
    int error = real_posix_memalign(result, alignment, size);
    record(OP_POSIX_MEMALIGN, take_seq(), size, alignment, NULL, error == 0 ? *result : NULL);
    return error;
}

void *aligned_alloc(size_t alignment, size_t size) {
    ENSURE_RESOLVED();
    void *result = real_aligned_alloc(alignment, size);
    record(OP_ALIGNED_ALLOC, take_seq(), size, alignment, NULL, result);
    return result;
}

void *memalign(size_t alignment, size_t size) {
    ENSURE_RESOLVED();
    void *result = real_memalign(alignment, size);
    record(OP_MEMALIGN, take_seq(), size, alignment, NULL, result);
    return result;
}

void *valloc(size_t size) {
    ENSURE_RESOLVED();
    void *result = real_valloc(size);
    record(OP_VALLOC, take_seq(), size, (uint64_t)sysconf(_SC_PAGESIZE), NULL, result);
    return result;
}

void *pvalloc(size_t size) {
    ENSURE_RESOLVED();
    void *result = real_pvalloc(size);
    record(OP_PVALLOC, take_seq(), size, (uint64_t)sysconf(_SC_PAGESIZE), NULL, result);
    return result;
}
