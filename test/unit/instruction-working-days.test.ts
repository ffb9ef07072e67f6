import { describe, expect, it } from 'vitest';
import {
  addWorkingDays,
  easterSunday,
  frenchPublicHolidays,
  isWorkingDay,
} from '../../functions/instruction/working-days.ts';

describe('French working days', () => {
  it('computes Easter Sunday for known years', () => {
    expect(easterSunday(2023)).toBe('2023-04-09');
    expect(easterSunday(2024)).toBe('2024-03-31');
    expect(easterSunday(2025)).toBe('2025-04-20');
    expect(easterSunday(2026)).toBe('2026-04-05');
    expect(easterSunday(2038)).toBe('2038-04-25');
  });

  it('lists the eleven public holidays, with Easter Monday, Ascension and Whit Monday', () => {
    expect(frenchPublicHolidays(2026)).toEqual([
      '2026-01-01',
      '2026-04-06',
      '2026-05-01',
      '2026-05-08',
      '2026-05-14',
      '2026-05-25',
      '2026-07-14',
      '2026-08-15',
      '2026-11-01',
      '2026-11-11',
      '2026-12-25',
    ]);
    expect(frenchPublicHolidays(2024)).toContain('2024-05-09');
    expect(frenchPublicHolidays(2024)).toContain('2024-05-20');
  });

  it('excludes weekends and holidays', () => {
    expect(isWorkingDay('2026-11-26')).toBe(true); // Thursday
    expect(isWorkingDay('2026-11-28')).toBe(false); // Saturday
    expect(isWorkingDay('2026-11-29')).toBe(false); // Sunday
    expect(isWorkingDay('2026-11-11')).toBe(false); // Armistice, a Wednesday
    expect(isWorkingDay('2026-05-14')).toBe(false); // Ascension
  });

  it('counts three working days over a weekend and a holiday', () => {
    // Prepare: Thursday 5 November 2026; Wednesday 11 November is a holiday.
    // Act / Assess
    expect(addWorkingDays('2026-11-05', 3)).toBe('2026-11-10'); // Fri 6, Mon 9, Tue 10
    expect(addWorkingDays('2026-11-09', 3)).toBe('2026-11-13'); // Tue 10, (Wed 11), Thu 12, Fri 13
    expect(addWorkingDays('2026-12-23', 3)).toBe('2026-12-29'); // Thu 24, (Fri 25), Mon 28, Tue 29
    expect(addWorkingDays('2026-12-31', 1)).toBe('2027-01-04'); // (Fri 1 Jan), Mon 4
  });
});
