/* jarena: see jarena.h. */
#include <jansson.h>
#include <malloc.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "jarena.h"

/* Under AddressSanitizer the arena is poisoned outside the allocations of the current
 * frame, so a pointer kept past its callback is reported instead of silently reading the
 * next frame. */
#if defined(__SANITIZE_ADDRESS__)
#define JARENA_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define JARENA_ASAN 1
#endif
#endif
#ifdef JARENA_ASAN
#include <sanitizer/asan_interface.h>
#define POISON(p, n)   ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define POISON(p, n)   ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

#define ARENA_INITIAL ((size_t)256 * 1024)
#define ARENA_MAX     ((size_t)64 * 1024 * 1024) /* bigger frames spill to malloc */
#define ARENA_KEEP    ((size_t)16 * 1024 * 1024) /* larger arenas are freed after use */
/* Of a kept arena, what stays resident after a frame: the pages a big frame touched above
 * this are given back (MADV_DONTNEED), so fifty receive threads that each parsed one
 * initial dump do not each keep megabytes of it.  Steady-state frames fit below. */
#define ARENA_RESIDENT ((size_t)256 * 1024)
#define ARENA_ALIGN   ((size_t)16)

struct arena {
	unsigned char *base;    /* NULL until this thread's first frame */
	size_t cap;             /* bytes */
	size_t used;            /* bytes handed out in the current frame */
	size_t spilled;         /* bytes served by malloc this frame because the arena was full */
	bool active;            /* jansson allocations go to the arena right now */
	bool busy;              /* a proto_parse runs on this thread (guards re-entry) */
	struct jarena_stats st; /* counters for tests and benchmarks */
};

static _Thread_local struct arena tl_arena;
static pthread_once_t install_once_flag = PTHREAD_ONCE_INIT;
static pthread_key_t arena_key; /* its destructor frees a finished thread's arena */
static bool arena_key_ok;       /* arena_key was created */

static void *arena_malloc(size_t n)
{
	struct arena *a = &tl_arena;
	if (a->active) {
		/* Round up and never hand out 0 bytes: the returned pointer must lie strictly
		 * inside the arena so that arena_free recognises it. */
		size_t need =
		    n < ARENA_ALIGN ? ARENA_ALIGN : (n + ARENA_ALIGN - 1) & ~(ARENA_ALIGN - 1);
		if (need >= n && a->cap - a->used >= need) {
			void *ptr = a->base + a->used;
			a->used += need;
			UNPOISON(ptr, n);
			a->st.arena_allocs++;
			return ptr;
		}
		a->spilled = a->spilled + n < a->spilled ? SIZE_MAX : a->spilled + n;
		a->st.heap_allocs++;
	}
	return malloc(n);
}

static bool arena_owns(const struct arena *a, const void *ptr)
{
	uintptr_t u = (uintptr_t)ptr, b = (uintptr_t)a->base;
	return a->base && u >= b && u < b + a->cap;
}

static void arena_free(void *ptr)
{
	if (!arena_owns(&tl_arena, ptr))
		free(ptr);
}

/* The arena is its own mapping, so its pages can be given back without freeing it. */
static unsigned char *arena_map(size_t cap)
{
	void *p = mmap(NULL, cap, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

static void arena_unmap(unsigned char *base, size_t cap)
{
	if (base) {
		UNPOISON(base, cap);
		munmap(base, cap);
	}
}

static void arena_thread_exit(void *base)
{
	if (base == tl_arena.base)
		arena_unmap(tl_arena.base, tl_arena.cap);
}

static void install_once(void)
{
	/* Without the key a finished thread would leak its arena; harmless, so go on. */
	arena_key_ok = pthread_key_create(&arena_key, arena_thread_exit) == 0;
	json_set_alloc_funcs(arena_malloc, arena_free);
}

/* Only here, with no arena pointer alive, may the arena be replaced by a bigger one. */
bool jarena_begin(void)
{
	struct arena *a = &tl_arena;
	if (a->busy)
		return false;
	size_t want = a->used + a->spilled;
	if (!a->base || a->spilled) {
		size_t cap = a->cap ? a->cap : ARENA_INITIAL;
		while (cap < want + want / 2 && cap < ARENA_MAX)
			cap *= 2;
		if (cap > ARENA_MAX)
			cap = ARENA_MAX;
		if (cap > a->cap) {
			unsigned char *nb = arena_map(cap);
			a->st.heap_allocs++;
			if (nb) {
				arena_unmap(a->base, a->cap);
				a->base = nb;
				a->cap = cap;
				if (arena_key_ok)
					pthread_setspecific(arena_key, nb);
			}
		}
	}
	a->used = 0;
	a->spilled = 0;
	POISON(a->base, a->cap);
	a->busy = true;
	a->active = a->base != NULL;
	a->st.frames++;
	return true;
}

void jarena_stats(struct jarena_stats *out)
{
	*out = tl_arena.st;
	out->base = tl_arena.base;
	out->cap = tl_arena.cap;
	out->used = tl_arena.used;
}

void jarena_install(void)
{
	pthread_once(&install_once_flag, install_once);
}

void jarena_pause(void)
{
	tl_arena.active = false;
}

/* One huge frame must not keep its memory: an arena above ARENA_KEEP is given back
 * after the frame, and so is what a frame spilled to malloc (glibc keeps freed memory
 * in its heap unless asked to return it). */
void jarena_end(void)
{
	struct arena *a = &tl_arena;
	a->active = false;
	a->busy = false;
	if (a->cap > ARENA_KEEP || a->spilled > ARENA_KEEP) {
		arena_unmap(a->base, a->cap);
		a->base = NULL;
		a->cap = a->used = a->spilled = 0;
		if (arena_key_ok)
			pthread_setspecific(arena_key, NULL);
		malloc_trim(0);
		return;
	}
	if (a->used > ARENA_RESIDENT && a->cap > ARENA_RESIDENT)
		(void)madvise(a->base + ARENA_RESIDENT, a->cap - ARENA_RESIDENT, MADV_DONTNEED);
	if (a->spilled > ARENA_RESIDENT)
		malloc_trim(0); /* what spilled was freed, but glibc keeps it in this thread's heap */
	POISON(a->base, a->cap);
}

void jarena_count_heap(void)
{
	tl_arena.st.heap_allocs++;
}
