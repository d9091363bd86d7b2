-- AlterEnum
ALTER TYPE "Decision" ADD VALUE 'unreadable';
