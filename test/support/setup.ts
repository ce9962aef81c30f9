/**
 * Runs before every test file. The machines are 2-core and shared: Testing Library's
 * default 1 s for findBy/waitFor is too short under load, so renderer tests get 10 s (a
 * passing wait still returns as soon as its condition holds).
 */
import { configure } from '@testing-library/dom';

configure({ asyncUtilTimeout: 10_000 });
