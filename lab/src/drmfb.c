/*
 * (Copied from the shared lab, ../shared/lab/src/, which our own lab wrote.)
 * drmfb.c - generate virtio-gpu work without any userspace GL stack.
 *
 * Uses only the DRM KMS "dumb buffer" UAPI (raw ioctls, no libdrm):
 *   1. open /dev/dri/card0, become master, find a connected connector + CRTC
 *   2. CREATE_DUMB x2 -> ADDFB -> MAP_DUMB -> mmap -> SETCRTC (modeset)
 *   3. N frames: draw into back buffer, PAGE_FLIP with event (wait for it),
 *      plus DIRTYFB on the front buffer (virtio-gpu: TRANSFER_TO_HOST_2D +
 *      RESOURCE_FLUSH commands), plus a legacy CURSOR ioctl that alternates
 *      between two 64x64 cursor BOs and moves the cursor.  In 6.1 virtio-gpu
 *      only the cursor plane uses a dma_fence for dumb BOs
 *      (virtio_gpu_plane_prepare_fb), so this is what produces dma_fence_*
 *      events.
 *   4. churn: M x (CREATE_DUMB 256x256, MAP_DUMB, mmap, write, munmap,
 *      DESTROY_DUMB) -> RESOURCE_CREATE_2D / ATTACH_BACKING / UNREF commands
 * Build: gcc -static -O2 -o drmfb drmfb.c   (headers from linux-libc-dev)
 * Usage: drmfb [frames=60] [churn=64] [device=/dev/dri/card0]
 *   frames=0: no modeset at all (works without DRM master, so several
 *   instances can run in parallel to create lock contention), churn only.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <drm/drm.h>
#include <drm/drm_mode.h>

static int fd;

static int xioctl(unsigned long req, void *arg)
{
	int r;
	do {
		r = ioctl(fd, req, arg);
	} while (r == -1 && (errno == EINTR || errno == EAGAIN));
	return r;
}

#define U64(p) ((uint64_t)(uintptr_t)(p))

struct buf {
	uint32_t handle, pitch, fb_id;
	uint64_t size;
	uint8_t *map;
};

static int make_buf(struct buf *b, uint32_t w, uint32_t h, int with_fb)
{
	struct drm_mode_create_dumb c = { .width = w, .height = h, .bpp = 32 };
	if (xioctl(DRM_IOCTL_MODE_CREATE_DUMB, &c)) { perror("CREATE_DUMB"); return -1; }
	b->handle = c.handle; b->pitch = c.pitch; b->size = c.size; b->fb_id = 0;
	if (with_fb) {
		struct drm_mode_fb_cmd f = { .width = w, .height = h, .pitch = c.pitch,
					     .bpp = 32, .depth = 24, .handle = c.handle };
		if (xioctl(DRM_IOCTL_MODE_ADDFB, &f)) { perror("ADDFB"); return -1; }
		b->fb_id = f.fb_id;
	}
	struct drm_mode_map_dumb m = { .handle = c.handle };
	if (xioctl(DRM_IOCTL_MODE_MAP_DUMB, &m)) { perror("MAP_DUMB"); return -1; }
	b->map = mmap(NULL, b->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, m.offset);
	if (b->map == MAP_FAILED) { perror("mmap"); return -1; }
	return 0;
}

static void free_buf(struct buf *b)
{
	munmap(b->map, b->size);
	if (b->fb_id)
		xioctl(DRM_IOCTL_MODE_RMFB, &b->fb_id);
	struct drm_mode_destroy_dumb d = { .handle = b->handle };
	if (xioctl(DRM_IOCTL_MODE_DESTROY_DUMB, &d))
		perror("DESTROY_DUMB");
}

static void draw(struct buf *b, uint32_t w, uint32_t h, int frame)
{
	for (uint32_t y = 0; y < h; y++) {
		uint32_t *row = (uint32_t *)(b->map + (size_t)y * b->pitch);
		for (uint32_t x = 0; x < w; x++)
			row[x] = ((x + frame * 8) & 0xff) << 16 | ((y + frame * 4) & 0xff) << 8 | (frame & 0xff);
	}
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	int frames = argc > 1 ? atoi(argv[1]) : 60;
	int churn = argc > 2 ? atoi(argv[2]) : 64;
	const char *dev = argc > 3 ? argv[3] : "/dev/dri/card0";
	double t0 = now();

	fd = open(dev, O_RDWR | O_CLOEXEC);
	if (fd < 0) { perror(dev); return 1; }
	ioctl(fd, DRM_IOCTL_SET_MASTER, 0); /* first opener is master anyway */

	struct drm_mode_card_res res = { 0 };
	if (xioctl(DRM_IOCTL_MODE_GETRESOURCES, &res)) { perror("GETRESOURCES"); return 1; }
	uint32_t *crtcs = calloc(res.count_crtcs + 1, 4), *conns = calloc(res.count_connectors + 1, 4);
	uint32_t *encs = calloc(res.count_encoders + 1, 4), *fbs = calloc(res.count_fbs + 1, 4);
	res.crtc_id_ptr = U64(crtcs); res.connector_id_ptr = U64(conns);
	res.encoder_id_ptr = U64(encs); res.fb_id_ptr = U64(fbs);
	if (xioctl(DRM_IOCTL_MODE_GETRESOURCES, &res)) { perror("GETRESOURCES"); return 1; }
	printf("drmfb: %u crtcs, %u connectors, %u encoders\n", res.count_crtcs, res.count_connectors, res.count_encoders);

	if (frames == 0)
		goto churn_only;

	uint32_t conn_id = 0;
	struct drm_mode_modeinfo mode;
	for (uint32_t i = 0; i < res.count_connectors && !conn_id; i++) {
		struct drm_mode_get_connector c = { .connector_id = conns[i] };
		if (xioctl(DRM_IOCTL_MODE_GETCONNECTOR, &c)) continue; /* probes */
		if (c.connection != 1 || c.count_modes == 0) continue;
		struct drm_mode_modeinfo *modes = calloc(c.count_modes, sizeof(*modes));
		uint32_t n = c.count_modes;
		memset(&c, 0, sizeof(c));
		c.connector_id = conns[i]; c.count_modes = n; c.modes_ptr = U64(modes);
		if (xioctl(DRM_IOCTL_MODE_GETCONNECTOR, &c)) continue;
		mode = modes[0];
		for (uint32_t k = 0; k < c.count_modes; k++)
			if (modes[k].type & DRM_MODE_TYPE_PREFERRED) { mode = modes[k]; break; }
		conn_id = conns[i];
		free(modes);
	}
	if (!conn_id) { fprintf(stderr, "drmfb: no connected connector\n"); return 1; }
	uint32_t w = mode.hdisplay, h = mode.vdisplay;
	printf("drmfb: connector %u mode %s %ux%u crtc %u\n", conn_id, mode.name, w, h, crtcs[0]);

	struct buf b[2];
	if (make_buf(&b[0], w, h, 1) || make_buf(&b[1], w, h, 1)) return 1;
	draw(&b[0], w, h, 0);
	struct drm_mode_crtc sc = { .crtc_id = crtcs[0], .fb_id = b[0].fb_id,
				    .set_connectors_ptr = U64(&conn_id), .count_connectors = 1,
				    .mode = mode, .mode_valid = 1 };
	if (xioctl(DRM_IOCTL_MODE_SETCRTC, &sc)) { perror("SETCRTC"); return 1; }

	/* two cursor BOs: switching the BO makes virtio-gpu fence a transfer */
	struct buf cur[2];
	int have_cursor = make_buf(&cur[0], 64, 64, 0) == 0 && make_buf(&cur[1], 64, 64, 0) == 0;
	int cursors = 0;

	int front = 0, flips = 0, dirties = 0;
	for (int f = 1; f <= frames; f++) {
		int back = front ^ 1;
		draw(&b[back], w, h, f);
		struct drm_mode_crtc_page_flip pf = { .crtc_id = crtcs[0], .fb_id = b[back].fb_id,
						      .flags = DRM_MODE_PAGE_FLIP_EVENT, .user_data = f };
		if (xioctl(DRM_IOCTL_MODE_PAGE_FLIP, &pf) == 0) {
			struct pollfd p = { .fd = fd, .events = POLLIN };
			if (poll(&p, 1, 2000) > 0) {
				char ev[1024];
				if (read(fd, ev, sizeof(ev)) > 0) flips++;
			}
			front = back;
		}
		/* partial update of the front buffer + explicit damage */
		memset(b[front].map, f & 0xff, b[front].pitch * 16);
		struct drm_mode_fb_dirty_cmd d = { .fb_id = b[front].fb_id };
		if (xioctl(DRM_IOCTL_MODE_DIRTYFB, &d) == 0) dirties++;
		if (have_cursor) {
			struct buf *cb = &cur[f & 1];
			memset(cb->map, 0x40 * (f & 3), cb->size);
			struct drm_mode_cursor c = { .flags = DRM_MODE_CURSOR_BO | DRM_MODE_CURSOR_MOVE,
						     .crtc_id = crtcs[0], .x = (f * 13) % w, .y = (f * 7) % h,
						     .width = 64, .height = 64, .handle = cb->handle };
			if (xioctl(DRM_IOCTL_MODE_CURSOR, &c) == 0) cursors++;
		}
	}
	printf("drmfb: %d frames, %d flip events, %d dirtyfb ok, %d cursor updates\n",
	       frames, flips, dirties, cursors);
	if (have_cursor) {
		struct drm_mode_cursor off = { .flags = DRM_MODE_CURSOR_BO, .crtc_id = crtcs[0] };
		xioctl(DRM_IOCTL_MODE_CURSOR, &off);
		free_buf(&cur[0]);
		free_buf(&cur[1]);
	}
	free_buf(&b[0]);
	free_buf(&b[1]);
churn_only:

	for (int i = 0; i < churn; i++) {
		struct buf t;
		if (make_buf(&t, 256, 256, 0)) break;
		memset(t.map, i, t.size);
		free_buf(&t);
	}
	printf("drmfb: %d dumb create/map/write/destroy cycles\n", churn);
	close(fd);
	printf("drmfb: done in %.2f s\n", now() - t0);
	return 0;
}
